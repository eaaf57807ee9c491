#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Loss is visible, never silent: with a 1 MiB ring buffer, netdx is stopped (SIGSTOP) while a
# UDP flood hits an iptables DROP, so the ring fills and the kernel side counts what it could not
# write. After SIGCONT netdx must go on, warn on stderr, and report the loss per probe.
source "$(dirname "$0")/lib.sh"
require_root
require_tools iptables python3

make_pair a b 62
in_ns a iptables -A OUTPUT -p udp --dport 9999 -j DROP

start_netdx run diagnose --diag-keep --duration 6 --ring-size 1 --netns "$(ns a)" \
    --json "$WORK/report.json"
kill -STOP "$NETDX_PID"
# 20000 datagrams, each dropped at OUTPUT: far more than 1 MiB of drop records (456 bytes each).
in_ns a python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20000):
    try:
        s.sendto(b"x", ("10.201.62.2", 9999))
    except OSError:
        pass' || fail "the flood could not run"
kill -CONT "$NETDX_PID"
wait_netdx 20
[ "$NETDX_RC" = 0 ] || [ "$NETDX_RC" = 1 ] || fail "netdx exited with $NETDX_RC"
validate_report "$WORK/report.json"
lost=$(jq '.coverage.lost_events.drop' "$WORK/report.json")
events=$(jq '.coverage.events' "$WORK/report.json")
[ "$lost" -gt 0 ] 2>/dev/null || fail "no lost events reported (lost=$lost, events=$events)"
[ $((lost + events)) -ge 20000 ] ||
    fail "lost ($lost) + seen ($events) < 20000 drops: some were missed without being counted"
grep -q "probe drop lost" "$WORK/run.err" || fail "no live warning about lost events on stderr"
jq -e '.findings[] | select(.category == "netfilter-drop")' "$WORK/report.json" >/dev/null ||
    fail "the drops that were delivered were not diagnosed"
pass "$lost of $((lost + events)) events lost, reported live and in the report"
