#!/usr/bin/env bash
# Records a real TFTP exchange between Debian's tftp-hpa client (`tftp`) and server (`in.tftpd`) on
# loopback, under tcpdump:
#   1. `get hello.bin`   - a 3000-byte file (6 DATA blocks of 512 bytes or less, octet mode)
#   2. `get missing.bin` - a file that does not exist (the server answers ERROR 1, file not found)
#
# usage: test/scripts/record-tftp-hpa.sh [OUT.pcap]      (default: test/captures/tftp-hpa-get.pcap of this repo)
# env:   TFTP_PORT   server port, default 69 (the well-known port, so every tool recognises TFTP)
#        DATA_PORTS  server's transfer port range, default 40000:40099 (kept small to bound the filter)
#
# Needs root (tcpdump on lo, port 69), tcpdump, in.tftpd (tftpd-hpa) and tftp (tftp-hpa), all from
# Debian (`pnpm setup:peers`). Everything listens on 127.0.0.1 only and every step is bounded by
# `timeout`. Exit status: 0 on success (the capture is written and the client got the file intact),
# 1 on failure, 77 when something it needs is missing (so callers can skip).
set -euo pipefail

OUT=${1:-$(cd "$(dirname "$0")/.." && pwd)/captures/tftp-hpa-get.pcap}
PORT=${TFTP_PORT:-69}
DATA_PORTS=${DATA_PORTS:-40000:40099}
LO=${DATA_PORTS%%:*}
HI=${DATA_PORTS##*:}

missing() { echo "record-tftp-hpa: $*" >&2; exit 77; }
[ "$(id -u)" = 0 ] || missing "needs root (tcpdump on lo)"
command -v tcpdump >/dev/null || missing "tcpdump is not installed"
command -v in.tftpd >/dev/null || missing "in.tftpd (tftpd-hpa) is not installed"
command -v tftp >/dev/null || missing "tftp (tftp-hpa) is not installed"

WORK=$(mktemp -d)
TCPDUMP_PID=
TFTPD_PID=
cleanup() {
  [ -n "$TFTPD_PID" ] && kill "$TFTPD_PID" 2>/dev/null || true
  [ -n "$TCPDUMP_PID" ] && kill "$TCPDUMP_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/root" "$WORK/client"
# A deterministic 3000-byte file: the decimal numbers 1.. one per line, cut at 3000 bytes.
# (no pipe into head: with pipefail, seq dying of SIGPIPE when head stops early failed the script)
seq 1 2000 >"$WORK/numbers.txt"
head -c 3000 "$WORK/numbers.txt" >"$WORK/root/hello.bin"
chmod 755 "$WORK" "$WORK/root"
chmod 644 "$WORK/root/hello.bin"
mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"

# 1. tcpdump on lo, only this exchange: the request port and the server's transfer ports.
timeout 30 tcpdump -i lo --immediate-mode -U -s 0 -w "$OUT" \
  "udp and host 127.0.0.1 and (port $PORT or portrange $LO-$HI)" 2>"$WORK/tcpdump.log" &
TCPDUMP_PID=$!
for _ in $(seq 1 50); do
  grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && break
  sleep 0.1
done
grep -q "listening on" "$WORK/tcpdump.log" || { cat "$WORK/tcpdump.log" >&2; echo "tcpdump did not start" >&2; exit 1; }

# 2. in.tftpd in the foreground (-L) on loopback only, secure chroot-like root (-s), small port range.
timeout 30 in.tftpd -L -a "127.0.0.1:$PORT" -R "$LO:$HI" -s "$WORK/root" 2>"$WORK/tftpd.log" &
TFTPD_PID=$!
if command -v ss >/dev/null; then # wait until it listens (iproute2's ss)
  for _ in $(seq 1 50); do
    ss -Hlnu "sport = :$PORT" 2>/dev/null | grep -q . && break
    sleep 0.1
  done
  ss -Hlnu "sport = :$PORT" | grep -q . || { cat "$WORK/tftpd.log" >&2; echo "in.tftpd did not start" >&2; exit 1; }
else
  sleep 1
fi

# 3. the tftp-hpa client: one good transfer, one missing file.
cd "$WORK/client"
timeout 10 tftp -m octet 127.0.0.1 "$PORT" -c get hello.bin hello.bin
timeout 10 tftp -m octet 127.0.0.1 "$PORT" -c get missing.bin missing.bin >"$WORK/missing.log" 2>&1 || true
cd - >/dev/null
cmp "$WORK/root/hello.bin" "$WORK/client/hello.bin" || { echo "the transferred file differs" >&2; exit 1; }
grep -qi "not found" "$WORK/missing.log" || { cat "$WORK/missing.log" >&2; echo "no file-not-found error" >&2; exit 1; }

# 4. let tcpdump flush (immediate mode, -U writes each packet), then stop both by their pids.
sleep 1
kill "$TFTPD_PID" 2>/dev/null || true
kill -INT "$TCPDUMP_PID" 2>/dev/null || true
wait "$TCPDUMP_PID" 2>/dev/null || true
TCPDUMP_PID=
[ -s "$OUT" ] || { echo "no capture written" >&2; exit 1; }
# tcpdump drops to its own user after opening the file; give it the directory's owner.
chown "$(stat -c %u:%g "$(dirname "$OUT")")" "$OUT" 2>/dev/null || true
echo "record-tftp-hpa: wrote $OUT ($(wc -c <"$OUT") bytes)"
