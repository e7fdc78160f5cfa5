#!/usr/bin/env bash
# An address-only DHCP server (no boot file) for the proxyDHCP scenario: dnsmasq on eth0 of the
# second namespace. Reads E2E_* from boot-vm.sh; foreground.
set -euo pipefail
exec dnsmasq --no-daemon --conf-file=/dev/null --port=0 --bind-interfaces --interface=eth0 \
  --except-interface=lo --log-dhcp --log-facility=- --pid-file= --no-ping \
  --dhcp-leasefile="$E2E_WORK/plain.leases" \
  --dhcp-range="$E2E_RANGE_START,$E2E_RANGE_END,$E2E_NETMASK,1h"
