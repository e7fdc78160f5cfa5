#!/usr/bin/env bash
# The reference boot server: dnsmasq with the usual iPXE chainload configuration (DHCP or
# proxyDHCP + TFTP). Reads the E2E_* variables of boot-vm.sh; runs in the foreground.
#   plain PXE ROM   -> undionly.kpxe (BIOS) / $DNSMASQ_EFI (client arch 7 or 9, x86-64 UEFI)
#   iPXE (user class "iPXE" or option 175) -> boot.ipxe (TFTP name, or its http:// URL)
#   UEFI HTTP boot (vendor class HTTPClient) -> http://.../$DNSMASQ_EFI, with option 60 HTTPClient
# DNSMASQ_EFI names the x86-64 UEFI program (default ipxe.efi, the usual recipe; snponly.efi for
# a like-for-like comparison with `pxe serve`'s default).
set -euo pipefail
efi=${DNSMASQ_EFI:-ipxe.efi}
case "$E2E_MODE" in http|httpboot) script="$E2E_HTTP_URL/boot.ipxe" ;; *) script=boot.ipxe ;; esac
args=(--no-daemon --conf-file=/dev/null --port=0 --bind-interfaces --interface="$E2E_IFACE"
      --except-interface=lo --log-dhcp --log-facility=- --pid-file= --no-ping
      --dhcp-leasefile="$E2E_WORK/dnsmasq.leases" --enable-tftp --tftp-root="$E2E_ROOT"
      --dhcp-userclass=set:ipxe,iPXE --dhcp-match=set:ipxe,175
      --dhcp-match=set:efi64,option:client-arch,7 --dhcp-match=set:efi64,option:client-arch,9
      --dhcp-vendorclass=set:httpboot,HTTPClient)
if [ "$E2E_DHCP_MODE" = proxy ]; then
  exec dnsmasq "${args[@]}" --dhcp-range="$E2E_SERVER_IP,proxy,$E2E_NETMASK" \
    --pxe-prompt="pxe-kit e2e",0 \
    --pxe-service=tag:!ipxe,x86PC,"chainload iPXE",undionly.kpxe \
    --pxe-service=tag:!ipxe,x86-64_EFI,"chainload iPXE (EFI)","$efi" \
    --pxe-service=tag:ipxe,x86PC,"iPXE script","$script" \
    --pxe-service=tag:ipxe,x86-64_EFI,"iPXE script (EFI)","$script"
fi
exec dnsmasq "${args[@]}" --dhcp-range="$E2E_RANGE_START,$E2E_RANGE_END,$E2E_NETMASK,1h" \
  --dhcp-option=option:router,"${E2E_ROUTER:-$E2E_SERVER_IP}" \
  --dhcp-boot=tag:!ipxe,tag:!efi64,tag:!httpboot,undionly.kpxe,,"$E2E_SERVER_IP" \
  --dhcp-boot=tag:!ipxe,tag:efi64,tag:!httpboot,"$efi",,"$E2E_SERVER_IP" \
  --dhcp-boot=tag:!ipxe,tag:httpboot,"$E2E_HTTP_URL/$efi" \
  --dhcp-option-force=tag:httpboot,option:vendor-class,HTTPClient \
  --dhcp-boot=tag:ipxe,"$script",,"$E2E_SERVER_IP"
