#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Live host facts (issue 5): a rule reads fact.listener_address, which netdx reads with sock_diag
# inside the namespace that dropped the packet. A service bound to 127.0.0.1:8080 only, a client
# connecting to the veth address -> the finding names 127.0.0.1:8080; with nothing listening at
# all the same rule stays silent (the shipped no-listener rule still fires, so the drop was seen;
# with the loopback listener the shipped listener-wrong-address rule fires instead).
source "$(dirname "$0")/lib.sh"
require_root
require_tools python3

cat >"$WORK/facts.yaml" <<'YAML'
required_version: 1
rules:
  - id: e2e-listener-elsewhere
    category: no-listener
    level: WARN
    events: [drop]
    condition: event.reason == "NO_SOCKET" and fact.listener_address exists
    key: [event.netns, event.dport]
    message: >-
      {event.flow}: nothing listens at {event.daddr}, but {fact.listener_address} does
      (listening={fact.listening})
    advice:
      - check: "{event.netns_exec}ss -ltn"
    tags: [test]
YAML

make_pair client server 5

# run NAME SHIPPED_RULE: diagnose with the test's rule while the client connects to
# 10.201.5.2:8080 twice; the shipped rule SHIPPED_RULE must report the drop too.
run() {
    start_netdx "$1" diagnose --host 10.201.5.2 --proto tcp --diag-keep --duration 4 \
        --rules "$WORK/facts.yaml" --json "$WORK/$1.json"
    tcp_connect client 10.201.5.2 8080 1
    sleep 0.3
    tcp_connect client 10.201.5.2 8080 1
    wait_netdx 15
    [ "$NETDX_RC" = 1 ] || fail "$1: exit code $NETDX_RC, expected 1 (the shipped ERROR no-listener)"
    validate_report "$WORK/$1.json"
    [ -n "$(findings "$WORK/$1.json" ".id == \"$2\"")" ] ||
        fail "$1: the NO_SOCKET drop was not seen (no $2 finding)"
}

# 1. Nothing listens anywhere on 8080: fact.listener_address is absent, the rule is silent.
run none no-listener-tcp
f=$(findings "$WORK/none.json" '.id == "e2e-listener-elsewhere"')
[ -z "$f" ] || fail "the rule fired with nothing listening: $f"

# 2. A listener on 127.0.0.1:8080 only, in the server namespace.
bg ip netns exec "$(ns server)" python3 -c '
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8080))
s.listen(8)
time.sleep(60)'
for _ in $(seq 1 50); do
    in_ns server ss -Hltn 'sport = :8080' | grep -q 127.0.0.1 && break
    sleep 0.1
done
in_ns server ss -Hltn 'sport = :8080' | grep -q 127.0.0.1 || fail "the 127.0.0.1:8080 listener did not start"

run loopback listener-wrong-address
f=$(findings "$WORK/loopback.json" '.id == "e2e-listener-elsewhere"')
[ -n "$f" ] || fail "no finding from the fact rule: $(jq -c '.findings[] | {id, message}' "$WORK/loopback.json")"
echo "$f" | jq -e 'select(.message | contains("but 127.0.0.1:8080 does"))' >/dev/null ||
    fail "the finding does not name the loopback listener: $f"
echo "$f" | jq -e 'select(.message | contains("listening=false"))' >/dev/null ||
    fail "fact.listening should be false at the veth address: $f"
gaps=$(jq -c '.coverage.facts_unavailable // [] | length' "$WORK/loopback.json" 2>/dev/null || echo 0)
[ "$gaps" = 0 ] || fail "facts were unavailable: $(jq -c '.coverage.facts_unavailable' "$WORK/loopback.json")"
pass "$(echo "$f" | jq -r .message)"
