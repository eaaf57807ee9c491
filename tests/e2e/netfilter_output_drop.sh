#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An iptables DROP in the client's OUTPUT chain -> ERROR netfilter-drop naming the OUTPUT hook.
source "$(dirname "$0")/lib.sh"
require_root
require_tools iptables ncat

make_pair client server 1
bg in_ns server ncat -lk 10.201.1.2 80
in_ns client iptables -A OUTPUT -d 10.201.1.2/32 -p tcp --dport 80 -j DROP

start_netdx run diagnose --host 10.201.1.2 --port 80 --proto tcp --duration 10 \
    --json "$WORK/report.json"
tcp_connect client 10.201.1.2 80 2
wait_netdx 15

[ "$NETDX_RC" = 1 ] || fail "exit code $NETDX_RC, expected 1 (an ERROR finding)"
validate_report "$WORK/report.json"
f=$(findings "$WORK/report.json" '.category == "netfilter-drop" and .level == "ERROR"')
[ -n "$f" ] || fail "no ERROR netfilter-drop finding"
echo "$f" | jq -e 'select(.message | contains("OUTPUT hook"))' >/dev/null ||
    fail "the finding does not name the OUTPUT hook: $f"
echo "$f" | jq -e 'select(.flow.dst == "10.201.1.2" and .flow.dport == 80 and .flow.proto == "tcp")' \
    >/dev/null || fail "the finding's flow is not the dropped connection: $f"
echo "$f" | jq -e --arg ns "$(ns client)" 'select(.netns == $ns)' >/dev/null ||
    fail "the finding does not name the client namespace: $f"
grep -q '^ERROR  netfilter-drop' "$WORK/run.out" || fail "no ERROR block in the text output"
grep -q '^Diagnosis: ERROR' "$WORK/run.out" || fail "no diagnosis summary"
pass "$(echo "$f" | jq -r .message)"
