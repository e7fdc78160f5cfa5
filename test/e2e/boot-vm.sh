#!/usr/bin/env bash
# Boot one qemu VM over the network against a boot server, inside a network namespace made
# (and always removed) by this script, and time it.
#
#   sudo FIRMWARE=bios MODE=http SERVER=dnsmasq test/e2e/boot-vm.sh
#
# Settings (environment; all optional):
#   FIRMWARE  bios (SeaBIOS + the NIC's iPXE option ROM from ipxe-qemu) | uefi (OVMF: EDK2's
#             own PXE stack loads ipxe.efi over TFTP, then iPXE takes over)
#   NIC       qemu NIC model (default e1000 for bios, virtio-net-pci for uefi: OVMF has no e1000
#             driver, and with no option ROM on the NIC EDK2's PXE answers, not iPXE)
#   MODE      tftp  : full DHCP from the boot server; iPXE script, kernel, initrd over TFTP
#             http  : full DHCP; iPXE is pointed at an http:// script; kernel, initrd by HTTP
#             proxy : a plain DHCP server (PLAIN_DHCP) in a second namespace hands out the
#                     address; the boot server answers as proxyDHCP (67 + 4011)
#             httpboot : UEFI only: EDK2's own HTTP boot (vendor class HTTPClient) gets the URL
#                     of ipxe.efi, then as http (PXE is switched off in OVMF via fw_cfg)
#   PLAIN_DHCP dnsmasq (default) | kea : the address-only server for MODE=proxy
#   SERVER    dnsmasq (default; servers/dnsmasq.sh) | pxe (servers/pxe-serve.sh: our `pxe serve`)
#   SERVER_CMD  any command instead (run by bash inside the namespace, in the foreground; it
#             gets the E2E_* variables listed below and is stopped by SIGTERM to its group)
#   HTTP_SERVER  busybox (default for SERVER=dnsmasq) | none (the boot server serves HTTP)
#   TIMEOUT   seconds before giving up on the marker (default 240)
#   ACCEL     tcg (default: software emulation, as the tests require) | kvm
#   IPV6      1: enable IPv6 on the bridge (for `PXE_SERVE_EXTRA=--ipv6-ra`); default off
#   RELAY     1 (MODE=tftp|http): the boot server sits on another subnet (10.77.0.1/24, a third
#             namespace) behind a real DHCP relay (ISC dhcrelay -a, adds option 82) on the bridge
#             (10.88.0.1, the VM's router); the pool is 10.88.0.100-199 (E2E_RANGE_SUFFIX=/24)
#   VM_MAC, VM_MEM, NAME, RESULTS (a TSV to append a row to), KEEP_WORK=1, E2E_OUT (logs dir)
#
# Variables the server command receives:
#   E2E_IFACE (bridge br0; eth0 with RELAY=1), E2E_SERVER_IP 10.88.0.1 (10.77.0.1 with RELAY=1),
#   E2E_ROUTER (the VM's router: the server, or the relay), E2E_RANGE_SUFFIX ("" or /24), E2E_NETMASK, E2E_PREFIX (24),
#   E2E_RANGE_START/END (10.88.0.100-10.88.0.199), E2E_ROOT (the boot files), E2E_HTTP_PORT,
#   E2E_HTTP_URL, E2E_DHCP_MODE (full|proxy), E2E_MODE, E2E_FIRMWARE, E2E_APPEND (kernel command
#   line), E2E_WORK (scratch folder).
#
# Prints one line `E2E-RESULT name=... ok=0|1 boot_s=... script_s=...` and exits 0 only when
# the guest printed the marker. Every wait is bounded; the namespace is deleted on every exit.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
if [ "$(id -u)" != 0 ]; then
  if [ "${1:-}" = --check ]; then echo "e2e: missing: root (network namespaces, taps)"; exit 3; fi
  e2e_need_root
fi

FIRMWARE=${FIRMWARE:-bios}
MODE=${MODE:-tftp}
SERVER=${SERVER:-dnsmasq}
PLAIN_DHCP=${PLAIN_DHCP:-dnsmasq}
ACCEL=${ACCEL:-tcg}
TIMEOUT=${TIMEOUT:-240}
case "$FIRMWARE" in
  bios) NIC=${NIC:-e1000}; VM_MEM=${VM_MEM:-384}; ROMFILE=${ROMFILE:-qemu} ;;
  uefi) NIC=${NIC:-virtio-net-pci}; VM_MEM=${VM_MEM:-512}; ROMFILE=${ROMFILE:-none} ;;
  *) e2e_die "unknown FIRMWARE=$FIRMWARE" ;;
esac
case "$MODE" in tftp|http|proxy|httpboot) ;; *) e2e_die "unknown MODE=$MODE" ;; esac
RELAY=${RELAY:-0}
[ "$RELAY" = 0 ] || [ "$MODE" = tftp ] || [ "$MODE" = http ] || e2e_die "RELAY=1 needs MODE=tftp or http"
[ "$MODE" != httpboot ] || [ "$FIRMWARE" = uefi ] || e2e_die "MODE=httpboot needs FIRMWARE=uefi"
NAME=${NAME:-$SERVER-$FIRMWARE-$MODE-$NIC}
VM_MAC=${VM_MAC:-52:54:00:88:00:10}
case "$SERVER" in
  dnsmasq) SERVER_CMD=${SERVER_CMD:-$HERE/servers/dnsmasq.sh}; HTTP_SERVER=${HTTP_SERVER:-busybox} ;;
  pxe)     SERVER_CMD=${SERVER_CMD:-$HERE/servers/pxe-serve.sh}; HTTP_SERVER=${HTTP_SERVER:-none} ;;
  *)       [ -n "${SERVER_CMD:-}" ] || e2e_die "SERVER=$SERVER needs SERVER_CMD"; HTTP_SERVER=${HTTP_SERVER:-none} ;;
esac

missing=$(e2e_missing "$FIRMWARE" "$MODE" "$PLAIN_DHCP" "$SERVER")
if [ "$RELAY" = 1 ] && ! command -v dhcrelay >/dev/null; then missing="${missing:+$missing }isc-dhcp-relay(dhcrelay)"; fi
if [ "${1:-}" = --check ]; then   # only say whether this boot could run here
  [ -z "$missing" ] && { echo "e2e: ready"; exit 0; }
  echo "e2e: missing: $missing"; exit 3
fi
[ -z "$missing" ] || e2e_die "missing: $missing (run test/e2e/setup.sh as root)"

NS="pxe-e2e-$$-$RANDOM"
NS_D="$NS-d"
NS_S="$NS-s"
WORK=$(mktemp -d /tmp/pxe-e2e.XXXXXX)
chmod 755 "$WORK"
ROOT="$WORK/root"
mkdir -p "$ROOT"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do e2e_stop "$p"; done
  ip netns del "$NS_D" 2>/dev/null || true
  ip netns del "$NS_S" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ]; then e2e_log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- network: namespace, bridge (server address), tap for the VM ------------------------
SERVER_IP=10.88.0.1 PLAIN_IP=10.88.0.2 BR_IP=10.88.0.1 ROUTER_IP=10.88.0.1 SRV_NS=$NS SRV_IFACE=br0
ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link add br0 type bridge stp_state 0 forward_delay 0
ip -n "$NS" addr add "$BR_IP/24" dev br0
# IPV6=1: IPv6 on the bridge (a link-local address), for `pxe serve --ipv6-ra` (radvd needs it).
if [ "${IPV6:-0}" = 1 ]; then ip netns exec "$NS" sysctl -q -w net.ipv6.conf.br0.disable_ipv6=0; fi
ip -n "$NS" link set br0 up
ip -n "$NS" tuntap add dev tap0 mode tap
ip -n "$NS" link set tap0 master br0 up
# The second namespace (a veth into the bridge, 10.88.0.2) runs the address-only DHCP server in
# MODE=proxy. It is made for every mode: a bridge has no carrier until a port has, and Node
# (libuv) lists only interfaces that are up and running, so this port gives br0 carrier before
# qemu opens the tap. (Its peer must not be in $NS itself: broadcasts flooded to it would reach
# 0.0.0.0-bound sockets there a second time.)
{
  ip netns add "$NS_D"
  ip -n "$NS_D" link set lo up
  ip netns exec "$NS_D" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$NS" link add vd0 type veth peer name eth0 netns "$NS_D"
  ip -n "$NS" link set vd0 master br0 up
  ip -n "$NS_D" addr add "$PLAIN_IP/24" dev eth0
  ip -n "$NS_D" link set eth0 up
}
# RELAY=1: the boot server in a third namespace on 10.77.0.0/24; $NS routes and relays DHCP.
if [ "$RELAY" = 1 ]; then
  SERVER_IP=10.77.0.1 SRV_NS=$NS_S SRV_IFACE=eth0
  ip netns add "$NS_S"
  ip -n "$NS_S" link set lo up
  ip netns exec "$NS_S" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$NS" link add vs type veth peer name eth0 netns "$NS_S"
  ip -n "$NS" addr add 10.77.0.254/24 dev vs
  ip -n "$NS" link set vs up
  ip -n "$NS_S" addr add "$SERVER_IP/24" dev eth0
  ip -n "$NS_S" link set eth0 up
  ip -n "$NS_S" route add default via 10.77.0.254
  ip netns exec "$NS" sysctl -q -w net.ipv4.ip_forward=1
fi

# ---- boot files ---------------------------------------------------------------------------
MARKER=PXE-E2E-BOOT-OK
cp "$(e2e_kernel)" "$ROOT/vmlinuz"
e2e_initrd "$MARKER" "$ROOT/initrd.gz"
for f in undionly.kpxe ipxe.efi snponly.efi; do [ -r "$IPXE_DIR/$f" ] && cp "$IPXE_DIR/$f" "$ROOT/"; done
HTTP_PORT=${HTTP_PORT:-8080}
HTTP_URL="http://$SERVER_IP:$HTTP_PORT"
APPEND="console=ttyS0 quiet panic=-1 e2e.mode=$MODE"
# Debian's iPXE EFI build hands the initrd to Linux's EFI stub only by the name in initrd=.
[ "$FIRMWARE" = uefi ] && APPEND="$APPEND initrd=initrd.gz"
case "$MODE" in http|httpboot) FETCH=$HTTP_URL ;; *) FETCH="tftp://$SERVER_IP" ;; esac
# The script a reference server (dnsmasq) hands out; `pxe serve` generates its own.
cat > "$ROOT/boot.ipxe" <<IPXE
#!ipxe
echo PXE-E2E-SCRIPT ip=\${ip} filename=\${filename}
kernel $FETCH/vmlinuz $APPEND
initrd $FETCH/initrd.gz
boot
IPXE
chmod -R a+rX "$ROOT"
export E2E_IFACE=$SRV_IFACE E2E_SERVER_IP=$SERVER_IP E2E_ROUTER=$ROUTER_IP E2E_NETMASK=255.255.255.0 E2E_PREFIX=24 \
  E2E_RANGE_START=10.88.0.100 E2E_RANGE_END=10.88.0.199 E2E_ROOT=$ROOT E2E_HTTP_PORT=$HTTP_PORT \
  E2E_HTTP_URL=$HTTP_URL E2E_MODE=$MODE E2E_FIRMWARE=$FIRMWARE E2E_APPEND="$APPEND" E2E_WORK=$WORK \
  E2E_PLAIN_IP=$PLAIN_IP E2E_RANGE_SUFFIX=$([ "$RELAY" = 1 ] && echo /24)
if [ "$MODE" = proxy ]; then export E2E_DHCP_MODE=proxy; else export E2E_DHCP_MODE=full; fi

# ---- servers ------------------------------------------------------------------------------
if [ "$HTTP_SERVER" = busybox ]; then
  PIDS+=("$(e2e_spawn "$WORK/http.log" ip netns exec "$SRV_NS" busybox httpd -f -p "$SERVER_IP:$HTTP_PORT" -h "$ROOT")")
fi
if [ "$MODE" = proxy ]; then
  PIDS+=("$(e2e_spawn "$WORK/plain-dhcp.log" ip netns exec "$NS_D" bash "$HERE/servers/plain-$PLAIN_DHCP.sh")")
fi
PIDS+=("$(e2e_spawn "$WORK/server.log" ip netns exec "$SRV_NS" bash -c "$SERVER_CMD")")
SERVER_PID=${PIDS[-1]}
t_srv=$(date +%s.%N)
ok67=0
for _ in $(seq 1 300); do   # bounded: 30 s (a cold `tsx` start takes a few seconds)
  if ip netns exec "$SRV_NS" ss -Hlun 'sport = :67' | grep -q .; then ok67=1; break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [ $ok67 = 0 ]; then cat "$WORK/server.log" >&2; e2e_die "boot server not listening on UDP 67"; fi
if [ "$MODE" = proxy ]; then  # and the address server in the other namespace
  for _ in $(seq 1 100); do ip netns exec "$NS_D" ss -Hlun 'sport = :67' | grep -q . && break; sleep 0.1; done
fi
e2e_log "server up after $(e2e_secs "$t_srv" "$(date +%s.%N)")s"
if [ "$RELAY" = 1 ]; then   # the relay on the bridge: adds option 82 (circuit id "br0")
  PIDS+=("$(e2e_spawn "$WORK/relay.log" ip netns exec "$NS" dhcrelay -4 -d -a -pf "$WORK/dhcrelay.pid" -id br0 -iu vs "$SERVER_IP")")
  for _ in $(seq 1 50); do grep -q "Sending on" "$WORK/relay.log" 2>/dev/null && break; sleep 0.1; done
fi

# ---- the VM -------------------------------------------------------------------------------
SERIAL="$WORK/serial.log"
: > "$SERIAL"
dev="$NIC,netdev=n0,mac=$VM_MAC"
case "$ROMFILE" in qemu) ;; none) dev="$dev,romfile=" ;; *) dev="$dev,romfile=$ROMFILE" ;; esac
QEMU=(qemu-system-x86_64 -accel "$ACCEL" -m "$VM_MEM" -nographic -monitor none -no-reboot
      -serial "file:$SERIAL" -netdev "tap,id=n0,ifname=tap0,script=no,downscript=no")
if [ "$FIRMWARE" = bios ]; then
  QEMU+=(-boot n -device "$dev")
else
  cp "$OVMF_VARS" "$WORK/vars.fd"
  # EDK2 ignores -boot n: bootindex puts the NIC's boot options first.
  if [ "$MODE" = httpboot ]; then  # as in a firmware setup menu: only the HTTP boot options remain
    QEMU+=(-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n)
  fi
  QEMU+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
         -drive "if=pflash,format=raw,unit=1,file=$WORK/vars.fd" -device "$dev,bootindex=1")
fi
e2e_log "$NAME: firmware=$FIRMWARE mode=$MODE nic=$NIC accel=$ACCEL server=$SERVER: starting VM"
t0=$(date +%s.%N)
PIDS+=("$(e2e_spawn "$WORK/qemu.log" ip netns exec "$NS" timeout "$((TIMEOUT + 5))" "${QEMU[@]}")")
QEMU_PID=${PIDS[-1]}
ok=0 t_script="" t_loaded="" t_marker=""
deadline=$(( $(date +%s) + TIMEOUT ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  if [ -z "$t_script" ] && grep -aq -e 'PXE-E2E-SCRIPT' -e 'pxe-kit: booting' "$SERIAL"; then t_script=$(date +%s.%N); fi
  if [ -z "$t_loaded" ] && grep -aq 'initrd.gz\.\.\. *ok' "$SERIAL"; then t_loaded=$(date +%s.%N); fi
  if grep -aq "$MARKER uptime=" "$SERIAL"; then t_marker=$(date +%s.%N); ok=1; break; fi
  kill -0 "$QEMU_PID" 2>/dev/null || break
  sleep 0.1
done
for _ in $(seq 1 50); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.1; done
boot_s=NA script_s=NA loaded_s=NA
[ -n "$t_marker" ] && boot_s=$(e2e_secs "$t0" "$t_marker")
[ -n "$t_loaded" ] && loaded_s=$(e2e_secs "$t0" "$t_loaded")
[ -n "$t_script" ] && script_s=$(e2e_secs "$t0" "$t_script")
if [ -n "${E2E_OUT:-}" ]; then
  mkdir -p "$E2E_OUT"
  for f in serial server http plain-dhcp relay; do [ -f "$WORK/$f.log" ] && cp "$WORK/$f.log" "$E2E_OUT/$NAME.$f.log"; done
fi
if [ -n "${RESULTS:-}" ]; then
  [ -s "$RESULTS" ] || printf 'date\tname\tserver\tfirmware\tmode\tnic\taccel\tok\tscript_s\tboot_s\tloaded_s\n' > "$RESULTS"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$NAME" "$SERVER" "$FIRMWARE" \
    "$MODE" "$NIC" "$ACCEL" "$ok" "$script_s" "$boot_s" "$loaded_s" >> "$RESULTS"
fi
echo "E2E-RESULT name=$NAME server=$SERVER firmware=$FIRMWARE mode=$MODE nic=$NIC ok=$ok boot_s=$boot_s script_s=$script_s loaded_s=$loaded_s"
if [ $ok = 1 ]; then exit 0; fi
e2e_log "FAILED: no marker within ${TIMEOUT}s. Serial console tail:"
tail -c 2000 "$SERIAL" | tr -d '\r' >&2 || true
e2e_log "server log tail:"
tail -n 30 "$WORK/server.log" >&2 || true
exit 1
