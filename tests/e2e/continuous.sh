#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A continuous run: `diagnose --diag-keep --output ndjson` streams one JSON line per finding and
# status; SIGHUP reloads the rules (a broken file keeps the old rules and says why, a fixed one
# takes effect for later traffic); SIGTERM ends the run with the report written.
source "$(dirname "$0")/lib.sh"
require_root

make_pair client server 9
site="$WORK/site.yaml"
write_rule() { # VERSION: a rule for TCP ports 8082-8089 whose message says its version
    cat >"$site" <<YAML
rules:
  - id: site-closed-port
    category: no-listener
    level: WARN
    events: [drop]
    condition: event.reason == "NO_SOCKET" and event.dport >= 8082 and event.dport < 8090
    key: [event.dport]
    message: "SITE-$1 nothing on port {event.dport}"
YAML
}
write_rule V1
"$NETDX" diagnose --diag-keep --output ndjson --host 10.201.9.2 --proto tcp --rules "$site" \
    --json "$WORK/report.json" >"$WORK/run.out" 2>"$WORK/run.err" &
NETDX_PID=$!
# wait_line JQ_FILTER: waits up to 10 s for an NDJSON line of the run matching the filter.
wait_line() {
    local i
    for i in $(seq 1 100); do
        if jq -e -c "select($1)" "$WORK/run.out" 2>/dev/null | grep -q .; then
            return 0
        fi
        kill -0 "$NETDX_PID" 2>/dev/null || fail "netdx exited early: $(cat "$WORK/run.err")"
        sleep 0.1
    done
    fail "no line matching $1 in 10 s: $(cat "$WORK/run.out")"
}
wait_line '.type == "status" and .state == "ready"'

tcp_connect client 10.201.9.2 8082 2
wait_line '.type == "finding" and (.finding.message | startswith("SITE-V1 nothing on port 8082"))'

echo "rules: [ {id: broken" >"$site"
kill -HUP "$NETDX_PID"
wait_line '.type == "status" and .state == "reload-failed" and (.errors | contains("site.yaml"))'
tcp_connect client 10.201.9.2 8084 2
wait_line '.type == "finding" and (.finding.message | startswith("SITE-V1 nothing on port 8084"))'

write_rule V2
kill -HUP "$NETDX_PID"
wait_line '.type == "status" and .state == "reloaded" and .rules > 1'
tcp_connect client 10.201.9.2 8085 2
wait_line '.type == "finding" and (.finding.message | startswith("SITE-V2 nothing on port 8085"))'

kill -TERM "$NETDX_PID"
wait_netdx 15
# An ERROR no-listener finding (the shipped rule) makes the exit code 1; a crash would not.
[ "$NETDX_RC" = 1 ] || fail "exit code $NETDX_RC after SIGTERM, expected 1 (ERROR found)"
jq -e -c . "$WORK/run.out" >/dev/null || fail "a stdout line is not JSON: $(cat "$WORK/run.out")"
last=$(tail -n 1 "$WORK/run.out")
echo "$last" | jq -e '.type == "status" and .state == "done" and .stop_reason == "interrupted"' \
    >/dev/null || fail "the last line is not the final status: $last"
validate_report "$WORK/report.json"
[ "$(jq '[.findings[] | select(.id == "site-closed-port")] | length' "$WORK/report.json")" = 3 ] ||
    fail "the report does not hold the three site findings"
pass "$(grep -c '"type":"finding"' "$WORK/run.out") finding lines, reload failed then succeeded, report written on SIGTERM"
