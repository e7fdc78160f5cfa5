#!/usr/bin/env bash
# Every end-to-end boot of issue 9, each against `pxe serve` and then against dnsmasq in the same
# run, with both boot times side by side (a comparison, not a pass/fail: one software-emulated
# boot varies by several percent, more on a loaded machine).
#
#   sudo test/e2e/boot-all.sh [OUT_DIR]        (default: a new temporary folder)
#   REPEAT=3 sudo test/e2e/boot-all.sh         (each pair N times, interleaved)
#   CASES="a b" sudo test/e2e/boot-all.sh      (a subset)
#
# Cases (issue 9, item 5):
#   a       full DHCP + TFTP only (script, kernel, initrd over TFTP)      BIOS, e1000
#   b       chainload to iPXE + HTTP (full DHCP)                          BIOS, virtio-net-pci
#   c-dnsmasq  proxyDHCP beside dnsmasq handing out the addresses        BIOS, e1000
#   c-kea      proxyDHCP beside Kea handing out the addresses            BIOS, virtio-net-pci
#   d       UEFI (OVMF: EDK2 PXE -> ipxe.efi over TFTP -> iPXE -> HTTP)  full DHCP
#   d-proxy UEFI behind proxyDHCP (Kea hands out the addresses)
#   b-ra, d-ra  as b, d with the opt-in `pxe serve --ipv6-ra` (IPv6 on the bridge; dnsmasq runs
#           unchanged there: its row is a second dnsmasq sample of b, d)
#   e       UEFI HTTP boot (EDK2 gets the URL of the EFI iPXE build, then iPXE -> HTTP)
#   b-relay, d-relay  as b, d with the boot server on another subnet behind a real DHCP relay
#           (ISC dhcrelay -a on the VM's bridge, option 82 added; boot-vm.sh RELAY=1)
# Exit status: 0 when every `pxe serve` boot printed the marker (dnsmasq's results are reported,
# not judged). Results: OUT_DIR/results.tsv and the logs of every boot.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
e2e_need_root
OUT=${1:-$(mktemp -d /tmp/pxe-e2e-all.XXXXXX)}
mkdir -p "$OUT"
bash "$HERE/setup.sh"
REPEAT=${REPEAT:-1}
CASES=${CASES:-"a b b-ra c-dnsmasq c-kea d d-ra d-proxy e b-relay d-relay"}
RESULTS="$OUT/results.tsv"
rm -f "$RESULTS"

case_env() { # prints the environment of a case
  case "$1" in
    a)         echo "FIRMWARE=bios MODE=tftp NIC=e1000" ;;
    b)         echo "FIRMWARE=bios MODE=http NIC=virtio-net-pci" ;;
    b-ra)      echo "FIRMWARE=bios MODE=http NIC=virtio-net-pci IPV6=1 PXE_SERVE_EXTRA=--ipv6-ra" ;;
    d-ra)      echo "FIRMWARE=uefi MODE=http NIC=virtio-net-pci IPV6=1 PXE_SERVE_EXTRA=--ipv6-ra" ;;
    c-dnsmasq) echo "FIRMWARE=bios MODE=proxy PLAIN_DHCP=dnsmasq NIC=e1000" ;;
    c-kea)     echo "FIRMWARE=bios MODE=proxy PLAIN_DHCP=kea NIC=virtio-net-pci" ;;
    d)         echo "FIRMWARE=uefi MODE=http NIC=virtio-net-pci" ;;
    d-proxy)   echo "FIRMWARE=uefi MODE=proxy PLAIN_DHCP=kea NIC=virtio-net-pci" ;;
    e)         echo "FIRMWARE=uefi MODE=httpboot NIC=virtio-net-pci" ;;
    b-relay)   echo "FIRMWARE=bios MODE=http NIC=virtio-net-pci RELAY=1" ;;
    d-relay)   echo "FIRMWARE=uefi MODE=http NIC=virtio-net-pci RELAY=1" ;;
    *) e2e_die "unknown case $1" ;;
  esac
}

fail=0
for i in $(seq 1 "$REPEAT"); do
  for c in $CASES; do
    for server in pxe dnsmasq; do
      # shellcheck disable=SC2046
      env $(case_env "$c") SERVER="$server" NAME="$c-$server-$i" RESULTS="$RESULTS" E2E_OUT="$OUT" \
        TIMEOUT="${TIMEOUT:-300}" bash "$HERE/boot-vm.sh" 2>"$OUT/$c-$server-$i.harness.log" | grep E2E-RESULT
      rc=${PIPESTATUS[0]}
      if [ "$server" = pxe ] && [ "$rc" != 0 ]; then fail=1; fi
    done
  done
done

echo
echo "seconds from VM start (qemu -accel tcg): 'loaded' = kernel and initrd fetched (the part a boot"
echo "server influences), 'marker' = the guest's initrd printed its marker (adds the guest's own boot)"
awk -F'\t' '
  NR == 1 { next }
  { key = $2; sub(/-(pxe|dnsmasq)-[0-9]+$/, "", key)
    if (!(key in desc)) { desc[key] = $4 "/" $5 "/" $6; order[++k] = key }
    if ($8 == 1) { s[key, $3] += $10; c[key, $3]++; if ($11 != "NA" && $11 != "") { l[key, $3] += $11; lc[key, $3]++ } } }
  function avg(sum, n, none) { return n ? sprintf("%.2f", sum / n) : none }
  function ratio(a, b) { return (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) ? sprintf("%.2f", a / b) : "-" }
  END {
    printf "%-10s %-29s | %8s %8s %6s | %8s %8s %6s\n", "case", "firmware/mode/nic", "loaded", "", "", "marker", "", ""
    printf "%-10s %-29s | %8s %8s %6s | %8s %8s %6s\n", "", "", "pxe", "dnsmasq", "ratio", "pxe", "dnsmasq", "ratio"
    for (i = 1; i <= k; i++) {
      key = order[i]
      la = avg(l[key, "pxe"], lc[key, "pxe"], "NA"); lb = avg(l[key, "dnsmasq"], lc[key, "dnsmasq"], "NA")
      a = avg(s[key, "pxe"], c[key, "pxe"], "FAIL"); b = avg(s[key, "dnsmasq"], c[key, "dnsmasq"], "FAIL")
      printf "%-10s %-29s | %8s %8s %6s | %8s %8s %6s\n", key, desc[key], la, lb, ratio(la, lb), a, b, ratio(a, b)
    }
  }' "$RESULTS"
echo "rows: $RESULTS; logs: $OUT"
exit $fail
