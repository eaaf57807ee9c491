#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A TCP connect to a port nobody listens on -> ERROR no-listener naming the port.
source "$(dirname "$0")/lib.sh"
require_root

make_pair client server 2
start_netdx run diagnose --host 10.201.2.2 --proto tcp --duration 10 --json "$WORK/report.json"
tcp_connect client 10.201.2.2 8081 2
wait_netdx 15

[ "$NETDX_RC" = 1 ] || fail "exit code $NETDX_RC, expected 1 (an ERROR finding)"
validate_report "$WORK/report.json"
f=$(findings "$WORK/report.json" '.category == "no-listener" and .level == "ERROR"')
[ -n "$f" ] || fail "no ERROR no-listener finding"
echo "$f" | jq -e 'select(.message | contains("TCP port 8081"))' >/dev/null ||
    fail "the finding does not name the port: $f"
echo "$f" | jq -e --arg ns "$(ns server)" 'select(.netns == $ns and .flow.dport == 8081)' \
    >/dev/null || fail "the finding does not name the server namespace and port: $f"
pass "$(echo "$f" | jq -r .message)"
