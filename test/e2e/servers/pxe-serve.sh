#!/usr/bin/env bash
# Our boot server for boot-vm.sh: `pxe serve` from this checkout (TypeScript sources through tsx,
# or the built CLI when PXE_E2E_DIST=1). Reads the E2E_* variables; runs in the foreground.
#   MODE=tftp  : full DHCP, no HTTP: everything over TFTP (case a)
#   MODE=http  : full DHCP, iPXE gets its generated script and the kernel over HTTP (case b)
#   MODE=proxy : proxyDHCP beside another server's addresses (case c)
#   MODE=httpboot : as http; the UEFI firmware's own HTTP boot gets the URL of ipxe.efi
# PXE_SERVE_EXTRA adds flags (e.g. the boot-time opt-ins).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$REPO"
if [ "${PXE_E2E_DIST:-0}" = 1 ]; then PXE=(node tools/cli/dist/pxe.js)
else PXE=(node --conditions=@pxe/source --import tsx tools/cli/src/main.ts); fi
args=(serve --root "$E2E_ROOT" --interface "$E2E_IFACE" --http-port "$E2E_HTTP_PORT" --append "$E2E_APPEND")
case "$E2E_MODE" in
  tftp)  args+=(--range "$E2E_RANGE_START-$E2E_RANGE_END${E2E_RANGE_SUFFIX:-}" --lease-file "$E2E_WORK/pxe.leases.json" --no-http) ;;
  http|httpboot) args+=(--range "$E2E_RANGE_START-$E2E_RANGE_END${E2E_RANGE_SUFFIX:-}" --lease-file "$E2E_WORK/pxe.leases.json") ;;
  proxy) args+=(--proxy) ;;
esac
# shellcheck disable=SC2206
args+=(${PXE_SERVE_EXTRA:-})
exec "${PXE[@]}" "${args[@]}"
