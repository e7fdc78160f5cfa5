#!/usr/bin/env bash
# @pxe/tftp under real packet loss (explicit script, not the default run): our server (pxe tftp
# serve) against the atftp client, and our client (pxe tftp get) against atftpd/tftpd-hpa, in two
# private network namespaces joined by a veth pair, with nftables dropping LOSS_PCT % of the UDP
# packets arriving at each side (tc netem is not available here). Uses the shared harness
# ../shared/bench/tftp/loss.sh. Needs root.
#   test/scripts/tftp-loss.sh            # 1 % and 5 %, 4 MiB
#   LOSS_LEVELS="5" SIZE_MIB=2 test/scripts/tftp-loss.sh
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HARNESS=${HARNESS:-$(cd "$REPO/.." && pwd)/shared/bench/tftp/loss.sh}
[ -x "$HARNESS" ] || [ -f "$HARNESS" ] || { echo "tftp-loss: $HARNESS not found (needs ../shared)"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "tftp-loss: needs root (ip netns, nft)"; exit 0; }
ATFTPD_DIR=${TMPDIR:-/tmp}/pxe-kit-atftpd
if [ ! -x "$ATFTPD_DIR/x/usr/sbin/atftpd" ]; then
  mkdir -p "$ATFTPD_DIR" && (cd "$ATFTPD_DIR" && apt-get download atftpd >/dev/null 2>&1 && dpkg -x atftpd_*.deb x) || true
fi
PXE="node --conditions=@pxe/source --import $REPO/node_modules/tsx/dist/esm/index.mjs $REPO/tools/cli/src/main.ts"
cd "$REPO"
for pct in ${LOSS_LEVELS:-1 5}; do
  echo "== loss ${pct} % each way =="
  LOSS_PCT=$pct RTO_S=1 WINDOWS="${WINDOWS:-1 8}" \
    ATFTPD_BIN="$ATFTPD_DIR/x/usr/sbin/atftpd" LOSS_SERVERS="${LOSS_SERVERS:-atftpd tftpd-hpa}" \
    SERVER_CMD="$PXE tftp serve --quiet --address {host} --port {port} --root {root}" \
    CLIENT_CMD="$PXE tftp get tftp://{host}:{port}/{file} -o {out} --blksize {blksize} --windowsize {windowsize} --timeout 1" \
    bash "$HARNESS" "${SIZE_MIB:-4}"
done
