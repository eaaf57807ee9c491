#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Healthy TCP exchanges and pings -> no WARN or ERROR at all (a false alarm is a bug). The ping
# replies are freed with NO_SOCKET at ping_rcv: they must be seen and counted as benign.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ncat ping

make_pair client server 3
bg in_ns server ncat -lk 10.201.3.2 8080 --sh-exec 'echo hello'

start_netdx run diagnose --host 10.201.3.2 --diag-keep --duration 4 --json "$WORK/report.json"
for i in 1 2 3; do
    reply=$(in_ns client timeout 2 ncat --recv-only 10.201.3.2 8080 || true)
    [ "$reply" = hello ] || fail "TCP exchange $i got '$reply' instead of 'hello'"
done
in_ns client ping -c 3 -i 0.2 -W 1 10.201.3.2 >/dev/null || fail "ping failed"
wait_netdx 15

[ "$NETDX_RC" = 0 ] || fail "exit code $NETDX_RC, expected 0 (no ERROR)"
validate_report "$WORK/report.json"
bad=$(findings "$WORK/report.json" '.level == "WARN" or .level == "ERROR"')
[ -z "$bad" ] || fail "false alarm on healthy traffic: $bad"
suppressed=$(jq '.coverage.suppressed_events' "$WORK/report.json")
[ "$suppressed" -ge 3 ] || fail "expected the 3 ping replies as benign events, got $suppressed"
jq -e '.verdict == "OK"' "$WORK/report.json" >/dev/null || fail "verdict is not OK"
pass "$suppressed benign events, no findings"
