#!/usr/bin/env bash
# An address-only DHCP server for the proxyDHCP scenario: ISC Kea (kea-dhcp4) on eth0 of the
# second namespace, leases in memory. Reads E2E_* from boot-vm.sh; foreground.
set -euo pipefail
conf="$E2E_WORK/kea-dhcp4.json"
cat > "$conf" <<JSON
{ "Dhcp4": {
  "interfaces-config": { "interfaces": [ "eth0" ], "dhcp-socket-type": "raw" },
  "lease-database": { "type": "memfile", "persist": false },
  "valid-lifetime": 3600,
  "subnet4": [ { "id": 1, "subnet": "${E2E_SERVER_IP%.*}.0/${E2E_PREFIX}",
                 "pools": [ { "pool": "$E2E_RANGE_START - $E2E_RANGE_END" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
} }
JSON
export KEA_PIDFILE_DIR="$E2E_WORK" KEA_LOCKFILE_DIR="$E2E_WORK"
exec kea-dhcp4 -c "$conf"
