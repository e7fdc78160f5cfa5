#!/usr/bin/env bash
# `pxe serve` behind a real DHCP relay (ISC dhcrelay), for tools/cli/test/serve-relay.test.ts.
# Network namespaces made here (unique names, always deleted):
#
#   client ns            relay ns                         server ns
#   eth0 (udhcpc) ---- vc 10.99.0.1/24 | vs 10.77.0.254/24 ---- eth0 10.77.0.1/24 (pxe serve)
#                                      | va 10.66.0.254/24 ---- eth0 10.66.0.1/24 (dnsmasq, MODE=proxy:
#                                                                 addresses for 10.99.0.0/24)
#
# dhcrelay -a adds option 82 (circuit id = "vc") and forwards to the server(s); the relay ns
# routes between the subnets. The client is busybox udhcpc posing as a BIOS PXE ROM (option 60
# PXEClient:Arch:00000:UNDI:002001, option 93 = 0); on a lease it configures the address and the
# default route it was given, then fetches the boot file it was given by TFTP from next-server.
#
#   sudo tools/cli/test/serve-relay.sh range|proxy OUT_DIR
#
# OUT_DIR gets: lease.env (udhcpc's variables at "bound"), server.pcap (DHCP on the server's
# link), client.pcap (DHCP on the client's link), server.log, relay.log, [plain.log], tftp.out,
# boot.bin (the fetched file). Exit 0 when the script ran to the end (the test judges the
# results), 2 on a setup problem. Every wait is bounded.
set -euo pipefail
MODE=${1:?range|proxy}
OUT=${2:?OUT_DIR}
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
mkdir -p "$OUT"
die() { echo "serve-relay: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root"
ID="pxr$$"
C="$ID-c" R="$ID-r" S="$ID-s" A="$ID-a"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${PIDS[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
  for n in "$C" "$R" "$S" "$A"; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
spawn() { local log=$1; shift; setsid "$@" >"$log" 2>&1 </dev/null & PIDS+=("$!"); }

for n in "$C" "$R" "$S" "$A"; do
  ip netns add "$n"
  ip -n "$n" link set lo up
  ip netns exec "$n" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$R" link add vc type veth peer name eth0 netns "$C"
ip -n "$R" link add vs type veth peer name eth0 netns "$S"
ip -n "$R" link add va type veth peer name eth0 netns "$A"
ip -n "$R" addr add 10.99.0.1/24 dev vc
ip -n "$R" addr add 10.77.0.254/24 dev vs
ip -n "$R" addr add 10.66.0.254/24 dev va
ip -n "$S" addr add 10.77.0.1/24 dev eth0
ip -n "$A" addr add 10.66.0.1/24 dev eth0
for l in vc vs va; do ip -n "$R" link set "$l" up; done
for n in "$C" "$S" "$A"; do ip -n "$n" link set eth0 up; done
ip -n "$S" route add default via 10.77.0.254
ip -n "$A" route add default via 10.66.0.254
ip netns exec "$R" sysctl -q -w net.ipv4.ip_forward=1

# ---- servers --------------------------------------------------------------------------------
ROOT="$OUT/root"
mkdir -p "$ROOT"
head -c 3000 /dev/urandom > "$ROOT/undionly.kpxe"   # a stand-in boot program, > 1 TFTP block
args=(serve --root "$ROOT" --interface eth0 --lease-file "$OUT/leases.json" --no-http)
servers=(10.77.0.1)
if [ "$MODE" = range ]; then
  args+=(--range 10.99.0.100-10.99.0.109/24)
else
  args+=(--proxy)
  servers+=(10.66.0.1)
  spawn "$OUT/plain.log" ip netns exec "$A" dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
    --interface=eth0 --except-interface=lo --log-dhcp --log-facility=- --pid-file= --no-ping \
    --dhcp-leasefile="$OUT/plain.leases" --dhcp-range=10.99.0.150,10.99.0.159,255.255.255.0,1h \
    --dhcp-option=option:router,10.99.0.1
fi
# --immediate-mode: hand every packet over at once (else libpcap delivers them in blocks, and
# packets "received by filter" but not yet written are lost when tcpdump is stopped)
spawn "$OUT/server-pcap.log" ip netns exec "$S" tcpdump --immediate-mode -i eth0 -U -n -s 0 -w "$OUT/server.pcap" 'udp port 67 or udp port 68'
TCPDUMPS=("${PIDS[-1]}")
spawn "$OUT/client-pcap.log" ip netns exec "$C" tcpdump --immediate-mode -i eth0 -U -n -s 0 -w "$OUT/client.pcap" 'udp port 67 or udp port 68'
TCPDUMPS+=("${PIDS[-1]}")
cd "$REPO"
spawn "$OUT/server.log" ip netns exec "$S" node --conditions=@pxe/source --import tsx tools/cli/src/main.ts "${args[@]}"
ok=0
for _ in $(seq 1 200); do   # bounded: 20 s (a cold tsx start takes a few seconds)
  if ip netns exec "$S" ss -Hlun 'sport = :67' | grep -q . && grep -q ev=listening "$OUT/server.log"; then ok=1; break; fi
  sleep 0.1
done
[ $ok = 1 ] || { cat "$OUT/server.log" >&2; die "pxe serve did not start"; }
for f in server-pcap client-pcap; do
  for _ in $(seq 1 100); do grep -q listening "$OUT/$f.log" && break; sleep 0.1; done
  grep -q listening "$OUT/$f.log" || die "tcpdump ($f) did not start: $(cat "$OUT/$f.log")"
done
if [ "$MODE" = proxy ]; then
  for _ in $(seq 1 50); do ip netns exec "$A" ss -Hlun 'sport = :67' | grep -q . && break; sleep 0.1; done
fi
# the relay: downstream vc (adds option 82 circuit id "vc"), upstream vs (and va)
up=(-iu vs)
[ "$MODE" = proxy ] && up+=(-iu va)
spawn "$OUT/relay.log" ip netns exec "$R" dhcrelay -4 -d -a -pf "$OUT/dhcrelay.pid" -id vc "${up[@]}" "${servers[@]}"
for _ in $(seq 1 50); do grep -q "Sending on" "$OUT/relay.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.3

# ---- the client -----------------------------------------------------------------------------
cat > "$OUT/udhcpc.sh" <<SCRIPT
#!/bin/sh
# udhcpc calls this with the event; at "bound" keep the variables (and, MODE=range, configure
# the address and the default route given).
[ "\$1" = bound ] || exit 0
env | grep -E "^[a-z][a-z0-9_]*=" | sort > "$OUT/lease.env"
[ "$MODE" = range ] || exit 0
ip addr add "\$ip/\${mask:-24}" dev "\$interface"
[ -n "\$router" ] && ip route add default via "\${router%% *}"
exit 0
SCRIPT
chmod +x "$OUT/udhcpc.sh"
set +e
# -q: exit after the lease; -n: fail when none; -t/-T: 5 DISCOVERs, 1 s apart (bounded)
ip netns exec "$C" timeout 20 busybox udhcpc -i eth0 -f -q -n -t 5 -T 1 -B \
  -V PXEClient:Arch:00000:UNDI:002001 -x 0x5d:0000 -s "$OUT/udhcpc.sh" > "$OUT/udhcpc.log" 2>&1
echo "udhcpc_rc=$?" > "$OUT/status"
sleep 0.3
siaddr="" file=""
if [ "$MODE" = range ] && [ -s "$OUT/lease.env" ]; then
  siaddr=$(sed -n 's/^siaddr=//p' "$OUT/lease.env")
  file=$(sed -n 's/^boot_file=//p' "$OUT/lease.env")
elif [ "$MODE" = proxy ]; then
  # udhcpc takes whichever offer comes first (it does not merge a proxy offer as a PXE ROM
  # does): take next-server and file from the proxy offer the client received (yiaddr 0), and
  # give the client an address of the relayed subnet by hand.
  # (udhcpc may be done before the proxy offer arrives: wait for it, bounded: 5 s)
  for _ in $(seq 1 10); do
    read -r siaddr file < <(tshark -r "$OUT/client.pcap" -Y 'dhcp.option.dhcp == 2 && dhcp.ip.your == 0.0.0.0' \
      -T fields -e dhcp.ip.server -e dhcp.file 2>"$OUT/tshark.log" | head -1)
    [ -n "$file" ] && break
    sleep 0.5
  done
  ip -n "$C" addr flush dev eth0
  ip -n "$C" addr add 10.99.0.200/24 dev eth0
  ip -n "$C" route replace default via 10.99.0.1
fi
echo "next_server=$siaddr boot_file=$file" >> "$OUT/status"
if [ -n "$siaddr" ] && [ -n "$file" ]; then
  ip netns exec "$C" timeout 10 busybox tftp -g -r "$file" -l "$OUT/boot.bin" "$siaddr" > "$OUT/tftp.out" 2>&1
  echo "tftp_rc=$?" >> "$OUT/status"
fi
set -e
# stop the captures first and let them finish their files (bounded: 3 s)
sleep 0.3
for p in "${TCPDUMPS[@]}"; do kill -INT -- "-$p" 2>/dev/null || true; done
for _ in $(seq 1 30); do
  alive=0
  for p in "${TCPDUMPS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ $alive = 0 ] && break
  sleep 0.1
done
exit 0
