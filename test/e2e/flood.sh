#!/usr/bin/env bash
# A bounded flood of broadcast DISCOVERs from many MACs against `pxe serve`, inside two network
# namespaces this script makes (and always deletes): the server on one end of a veth pair, the
# flood client (test/e2e/flood-client.mjs) on the other. Then one more DISCOVER must be answered.
#
#   sudo MODE=full|proxy FLOOD_KIND=pxe|dhcp FLOOD_N=1000 test/e2e/flood.sh
#
# Prints the client's `FLOOD-RESULT kind=... sent=N replies=R final=0|1 ms=T` line and the
# server's counters; exits 0 when the final DISCOVER was answered. Every wait is bounded.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
. "$HERE/lib.sh"
e2e_need_root
MODE=${MODE:-full}
ID="pxf$$"
NS_S="$ID-s" NS_C="$ID-c"
WORK=$(mktemp -d /tmp/pxe-flood.XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true; fi
  ip netns del "$NS_S" 2>/dev/null || true
  ip netns del "$NS_C" 2>/dev/null || true
  [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
for ns in "$NS_S" "$NS_C"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$NS_S" link add fs0 type veth peer name fc0 netns "$NS_C"
ip -n "$NS_S" addr add 10.89.0.1/16 dev fs0
ip -n "$NS_S" link set fs0 up
ip -n "$NS_C" link set fc0 up
# The client side has an address and a route for its broadcasts (a real DHCP client uses a raw
# socket instead; the server sees the same broadcast DISCOVERs either way).
ip -n "$NS_C" addr add 10.89.0.2/16 dev fc0
ip -n "$NS_C" route add default dev fc0
mkdir -p "$WORK/root"
cp "$IPXE_DIR/undionly.kpxe" "$WORK/root/" 2>/dev/null || : > "$WORK/root/undionly.kpxe"
args=(serve --root "$WORK/root" --interface fs0 --http-port 8080)
if [ "$MODE" = proxy ]; then args+=(--proxy)
else args+=(--range 10.89.1.0-10.89.8.255 --lease-file "$WORK/leases.json"); fi
setsid ip netns exec "$NS_S" timeout 120 node --conditions=@pxe/source --import tsx \
  "$REPO/tools/cli/src/main.ts" "${args[@]}" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do   # bounded: 30 s
  ip netns exec "$NS_S" ss -Hlun 'sport = :67' | grep -q . && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
ip netns exec "$NS_S" ss -Hlun 'sport = :67' | grep -q . || { cat "$WORK/server.log" >&2; e2e_die "server not listening"; }
out=$(ip netns exec "$NS_C" timeout 60 node "$HERE/flood-client.mjs")
echo "$out"
echo "FLOOD-SERVER replies=$(grep -c 'ev=dhcp ' "$WORK/server.log" || true) ignored=$(grep -c 'ev=dhcp-ignored' "$WORK/server.log" || true) alive=$(kill -0 "$SERVER_PID" 2>/dev/null && echo 1 || echo 0)"
grep -q 'final=1' <<<"$out"
