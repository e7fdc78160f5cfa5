# shellcheck shell=bash
# Helpers for the end-to-end boot scripts (sourced, not run). Paths overridable by env.
E2E_CACHE=${PXE_E2E_CACHE:-${HOME:-/root}/.cache/pxe-kit-e2e}
IPXE_DIR=${IPXE_DIR:-/usr/lib/ipxe}
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}

e2e_log() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
e2e_die() { e2e_log "ERROR: $*"; exit 2; }
e2e_need_root() { [ "$(id -u)" = 0 ] || e2e_die "run as root (network namespaces, taps)"; }
e2e_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# A static busybox for the guest's initrd: the unpacked busybox-static, or a static one on PATH.
e2e_busybox() {
  local b
  for b in "${E2E_BUSYBOX:-}" "$E2E_CACHE/busybox/bin/busybox" /bin/busybox /usr/bin/busybox; do
    [ -n "$b" ] && [ -x "$b" ] || continue
    if ! ldd "$b" >/dev/null 2>&1; then echo "$b"; return 0; fi   # "not a dynamic executable"
  done
  return 1
}
# The guest kernel: KERNEL, else Debian's kernel unpacked by setup.sh, else the newest in /boot.
e2e_kernel() {
  local k
  if [ -n "${KERNEL:-}" ]; then echo "$KERNEL"; return 0; fi
  k=$(ls "$E2E_CACHE"/kernel/boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
  [ -n "$k" ] || k=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
  [ -n "$k" ] && [ -r "$k" ] && echo "$k"
}
# What this machine lacks for a boot: prints the missing pieces (nothing when all is there).
#   e2e_missing FIRMWARE MODE PLAIN_DHCP SERVER
e2e_missing() {
  local m=() t
  for t in ip ss qemu-system-x86_64 cpio gzip timeout setsid; do command -v "$t" >/dev/null || m+=("$t"); done
  [ -r "$IPXE_DIR/undionly.kpxe" ] || m+=("ipxe(undionly.kpxe)")
  [ "$1" != uefi ] || [ -r "$IPXE_DIR/ipxe.efi" ] || m+=("ipxe(ipxe.efi)")
  [ -r /usr/share/qemu/pxe-e1000.rom ] || [ -r "$IPXE_DIR/qemu/pxe-e1000.rom" ] || m+=("ipxe-qemu")
  [ "$1" != uefi ] || [ -r "$OVMF_CODE" ] || m+=("ovmf")
  e2e_kernel >/dev/null || m+=("guest kernel")
  e2e_busybox >/dev/null || m+=("static busybox")
  if [ "$4" = dnsmasq ] || { [ "$2" = proxy ] && [ "$3" = dnsmasq ]; }; then command -v dnsmasq >/dev/null || m+=(dnsmasq); fi
  [ "$4" != dnsmasq ] || command -v busybox >/dev/null || m+=("busybox (httpd)")
  { [ "$2" = proxy ] && [ "$3" = kea ]; } && { command -v kea-dhcp4 >/dev/null || m+=(kea-dhcp4); }
  [ -e /dev/net/tun ] || m+=("/dev/net/tun")
  echo "${m[*]}"
}
# A tiny initrd whose /init prints MARKER on the console and powers the VM off (cached).
#   e2e_initrd MARKER OUT
e2e_initrd() {
  local marker=$1 out=$2 bb stage cached
  bb=$(e2e_busybox) || e2e_die "no static busybox"
  cached="$E2E_CACHE/initrd-$marker.gz"
  if [ ! -s "$cached" ] || [ "$bb" -nt "$cached" ]; then
    stage=$(mktemp -d)
    mkdir -p "$stage"/{bin,dev,proc,sys}
    cp "$bb" "$stage/bin/busybox"
    mknod -m 600 "$stage/dev/console" c 5 1
    mknod -m 666 "$stage/dev/null" c 1 3
    {
      echo '#!/bin/busybox sh'
      echo '/bin/busybox mount -t proc proc /proc'
      echo 'read up _ < /proc/uptime'
      echo "echo \"$marker uptime=\$up\""
      echo '/bin/busybox poweroff -f'
    } > "$stage/init"
    chmod 755 "$stage/init"
    mkdir -p "$E2E_CACHE"
    (cd "$stage" && find . | cpio -o -H newc --quiet | gzip -6) > "$cached.tmp" && mv "$cached.tmp" "$cached"
    rm -rf "$stage"
  fi
  cp "$cached" "$out"
}
# Start a command in its own session (its PID is its process group); prints the PID.
e2e_spawn() { local log=$1; shift; setsid "$@" >"$log" 2>&1 </dev/null & echo $!; }
# Stop a process group this script started: TERM, bounded wait, then KILL.
e2e_stop() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
