#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --redact: no address, namespace name or host name of the run reaches the terminal output or
# the JSON report, and both use the same token for the same value.
source "$(dirname "$0")/lib.sh"
require_root

make_pair client server 10
start_netdx run diagnose --redact --host 10.201.10.2 --proto tcp --duration 10 \
    --json "$WORK/report.json"
tcp_connect client 10.201.10.2 8081 2
wait_netdx 15

[ "$NETDX_RC" = 1 ] || fail "exit code $NETDX_RC, expected 1 (an ERROR finding)"
validate_report "$WORK/report.json"
for secret in 10.201.10 "$(ns server)" "$(ns client)" "$(hostname)"; do
    if grep -F -q -- "$secret" "$WORK/run.out" "$WORK/run.err" "$WORK/report.json"; then
        fail "'$secret' is still in the output: $(grep -F -h -- "$secret" "$WORK"/run.* "$WORK/report.json" | head -3)"
    fi
done
f=$(findings "$WORK/report.json" '.category == "no-listener"')
[ -n "$f" ] || fail "no no-listener finding"
dst=$(echo "$f" | jq -r .flow.dst)
ns_token=$(echo "$f" | jq -r .netns)
[[ $dst == ip-* && $ns_token == ns-* ]] || fail "flow.dst '$dst' / netns '$ns_token' are not tokens"
grep -q -- "-> $dst:8081" "$WORK/run.out" || fail "the terminal does not use the report's token $dst"
grep -q -- "netns $ns_token" "$WORK/run.out" || fail "the terminal does not use the token $ns_token"
jq -e '.redacted == true' "$WORK/report.json" >/dev/null || fail "the report is not marked redacted"
pass "$(echo "$f" | jq -r .message)"
