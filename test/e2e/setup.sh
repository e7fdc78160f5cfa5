#!/usr/bin/env bash
# Installs what the end-to-end VM boots need (Debian): qemu (software emulation), qemu's iPXE
# NIC ROMs, Debian's iPXE binaries (undionly.kpxe, ipxe.efi), OVMF (UEFI firmware), dnsmasq
# (the reference server), Kea (plain DHCP beside a proxyDHCP), cpio, iproute2, nftables, radvd
# (for `pxe serve --ipv6-ra`), isc-dhcp-relay (dhcrelay, for the RELAY=1 cases behind a relay).
# The guest's kernel and a static busybox are not installed: their .debs are fetched with
# `apt-get download` and unpacked into $PXE_E2E_CACHE (default ~/.cache/pxe-kit-e2e), so the
# host's /boot and its dynamically linked busybox stay untouched.
# Idempotent; installs only what is missing; needs root and apt-get (otherwise it says so and
# the e2e tests skip with the reason).
set -uo pipefail
CACHE=${PXE_E2E_CACHE:-${HOME:-/root}/.cache/pxe-kit-e2e}
PKGS=(qemu-system-x86 ipxe-qemu ipxe ovmf dnsmasq-base kea-dhcp4-server cpio iproute2 nftables radvd isc-dhcp-relay)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
need_kernel=1 need_busybox=1
ls "$CACHE"/kernel/boot/vmlinuz-* >/dev/null 2>&1 && need_kernel=0
[ -x "$CACHE/busybox/bin/busybox" ] && need_busybox=0
if [ ${#missing[@]} -eq 0 ] && [ $need_kernel = 0 ] && [ $need_busybox = 0 ]; then
  echo "e2e: all present (${PKGS[*]}; kernel and busybox in $CACHE)"; exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "e2e: missing ${missing[*]:-} (kernel=$need_kernel busybox=$need_busybox) and cannot install (need root and apt-get)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
timeout 300 apt-get update -q >/dev/null 2>&1 || true
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e: installing ${missing[*]}"
  # Kea's and dnsmasq's packages must not start daemons on this machine.
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  timeout 900 apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/pxe-kit-e2e-apt.log 2>&1 \
    || { echo "e2e: apt-get install failed (see /tmp/pxe-kit-e2e-apt.log)"; tail -5 /tmp/pxe-kit-e2e-apt.log; }
  [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
unpack() { # unpack PACKAGE into DIR (apt-get download + dpkg -x, no install)
  local pkg=$1 dir=$2 tmp
  tmp=$(mktemp -d) || return 1
  (cd "$tmp" && timeout 600 apt-get download -q "$pkg" >/dev/null 2>&1) || { echo "e2e: cannot download $pkg"; rm -rf "$tmp"; return 1; }
  mkdir -p "$dir" && dpkg -x "$tmp"/*.deb "$dir" && rm -rf "$tmp"
}
if [ $need_kernel = 1 ]; then
  # linux-image-amd64 is a metapackage: take the versioned image it depends on.
  kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
  if [ -n "$kpkg" ]; then echo "e2e: unpacking $kpkg into $CACHE/kernel"; unpack "$kpkg" "$CACHE/kernel"; fi
fi
if [ $need_busybox = 1 ]; then
  echo "e2e: unpacking busybox-static into $CACHE/busybox"; unpack busybox-static "$CACHE/busybox"
fi
exit 0
