#!/usr/bin/env bash
# Full TFTP interop matrix of @pxe/tftp against real Debian peers on loopback (not part of the
# default test run): every client/server pair with every setting each peer supports, sizes
# 0, 1, 511, 512, 513, 1 MiB and 40 MiB (> 65535 blocks at 512 bytes: the block number rolls
# over), sha256 compared every time. Needs root and the peers (scripts/setup-peers.sh);
# atftpd is unpacked with apt-get download + dpkg -x into $TMPDIR/pxe-kit-atftpd.
# Usage: test/scripts/tftp-interop-full.sh   (or: pnpm --filter @pxe/tftp run test:interop)
set -euo pipefail
cd "$(dirname "$0")/../.."
TFTP_INTEROP_FULL=1 exec npx vitest run test/tftp-interop.test.ts --testTimeout=300000 "$@"
