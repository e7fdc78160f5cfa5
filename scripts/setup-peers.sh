#!/usr/bin/env bash
# Installs the Debian packages that the tests use as real peers and references: tshark (capture
# counts), tcpdump (recording our own captures), tftp-hpa server and client, atftp, curl, busybox.
# Installs only what is missing; needs root (CI and the dev machines run as root). Without root
# or without apt it says so and the tests that need the peers say that they skip.
set -uo pipefail
PKGS=(tshark tcpdump tftpd-hpa tftp-hpa atftp curl busybox dnsmasq-base nftables gcc isc-dhcp-relay)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then echo "peers: all present (${PKGS[*]})"; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "peers: missing ${missing[*]} and cannot install them (need root and apt-get)"; exit 0
fi
echo "peers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tftpd-hpa's package starts a daemon on :69; we start our own on loopback per test instead.
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
fi
timeout 300 apt-get update -q >/dev/null 2>&1 || true
timeout 600 apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/pxe-kit-apt.log 2>&1 \
  || { echo "peers: apt-get install failed (see /tmp/pxe-kit-apt.log)"; tail -5 /tmp/pxe-kit-apt.log; }
[ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
exit 0
