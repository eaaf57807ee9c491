#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench/facts (issue 5 item 6): how long a fact snapshot of a large namespace takes.
#
# One namespace of its own (ndxb-<pid>-facts) with --rules iptables rules (default 10,000: a
# user chain of DROP rules reached by a jump from OUTPUT, loaded with iptables-restore; the
# backend is --backend nft|legacy, default nft, what `iptables` is on Debian 12) and --routes
# routes (default 10,000 /32 routes over a veth, spread over five tables). Then, --reps times
# (default 7), interleaved so drift hits all alike:
#   baseline     iptables-save -c (of that backend) + ip route show table all, in the namespace
#   facts        netdx facts --netns NS (text): links, addresses, routes, neighbours, rules,
#                sockets, sysctls, SNMP counters, conntrack, firewall rules WITH their texts
#   facts-json   the same as one JSON document (--json)
#   facts-fast   text with --no-rule-text: what netdx reads while diagnosing (rule texts are
#                read only for the one rule a finding names)
# Reports the median wall time of each, its ratio to the baseline median, and the spread.
#
# Needs root, iptables, ip, jq, python3. Creates only its own namespace and removes it on exit.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NETDX="$REPO/build/netdx"
RULES=10000
ROUTES=10000
REPS=7
BACKEND=nft

usage() {
    echo "Usage: sudo bench/facts/run.sh [NETDX] [--rules N] [--routes N] [--reps N] [--backend nft|legacy]"
}

while [ $# -gt 0 ]; do
    case $1 in
    --rules) RULES=$2; shift 2 ;;
    --routes) ROUTES=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --backend) BACKEND=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
    *) NETDX=$1; shift ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "bench/facts: needs root" >&2; exit 1; }
[ -x "$NETDX" ] || { echo "bench/facts: no netdx binary at $NETDX (build first)" >&2; exit 1; }
case $BACKEND in nft | legacy) ;; *) usage >&2; exit 2 ;; esac

NS="ndxb-$$-facts"
TMP=$(mktemp -d /tmp/netdx-bench-facts.XXXXXX)
cleanup() {
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add bench0 type veth peer name bench1
ip -n "$NS" addr add 10.208.0.1/16 dev bench0
ip -n "$NS" link set bench0 up
ip -n "$NS" link set bench1 up

/usr/bin/python3 -c '
import sys
n = int(sys.argv[1])
print("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:BENCH - [0:0]")
for i in range(n):
    print(f"-A BENCH -d 10.{100 + i // 62500}.{i // 250 % 250}.{i % 250 + 1}/32 -p tcp -m tcp --dport {1000 + i % 5000} -j DROP")
print("-A OUTPUT -j BENCH\nCOMMIT")
' "$RULES" >"$TMP/rules"
/usr/bin/python3 -c '
import sys
for i in range(int(sys.argv[1])):
    print(f"route add 10.{50 + i // 62500}.{i // 250 % 250}.{i % 250}/32 via 10.208.0.2 dev bench0 table {100 + i % 5}")
' "$ROUTES" >"$TMP/routes"
ip netns exec "$NS" "iptables-$BACKEND-restore" <"$TMP/rules"
ip -n "$NS" -batch "$TMP/routes"
echo "bench/facts: namespace $NS: $(ip netns exec "$NS" "iptables-$BACKEND-save" | grep -c '^-A') rules ($BACKEND), $(ip -n "$NS" route show table all | wc -l) routes"

# time_us CMD...: wall microseconds of one run, output discarded, a failure is fatal.
time_us() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>"$TMP/err" || { echo "bench/facts: '$*' failed:" >&2; cat "$TMP/err" >&2; exit 1; }
    end=$(date +%s%N)
    echo $(((end - start) / 1000))
}
baseline() {
    ip netns exec "$NS" "iptables-$BACKEND-save" -c && ip -n "$NS" route show table all
}

# The outputs agree: netdx sees every rule (with its text) and route the baseline prints.
"$NETDX" facts --netns "$NS" --json >"$TMP/facts.json"
rules_seen=$(jq '[.firewall.rules[] | select(.chain == "BENCH")] | length' "$TMP/facts.json")
texts_seen=$(jq '[.firewall.rules[] | select(.chain == "BENCH" and .text != null)] | length' "$TMP/facts.json")
routes_seen=$(jq '[.routes[] | select(.table >= 100 and .table <= 104)] | length' "$TMP/facts.json")
echo "bench/facts: netdx facts saw $rules_seen rules in BENCH ($texts_seen with text), $routes_seen routes in tables 100-104"
[ "$rules_seen" = "$RULES" ] && [ "$texts_seen" = "$RULES" ] && [ "$routes_seen" = "$ROUTES" ] ||
    { echo "bench/facts: netdx facts missed rules or routes" >&2; exit 1; }

: >"$TMP/times"
for rep in $(seq 1 "$REPS"); do
    for what in baseline facts facts-json facts-fast; do
        case $what in
        baseline) us=$(time_us baseline) ;;
        facts) us=$(time_us "$NETDX" facts --netns "$NS") ;;
        facts-json) us=$(time_us "$NETDX" facts --netns "$NS" --json) ;;
        facts-fast) us=$(time_us "$NETDX" facts --netns "$NS" --no-rule-text) ;;
        esac
        echo "$what $us" >>"$TMP/times"
    done
done

/usr/bin/python3 -c '
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    what, us = line.split()
    times.setdefault(what, []).append(int(us) / 1000)
base = statistics.median(times["baseline"])
reps = len(times["baseline"])
print(f"bench/facts: {sys.argv[2]} iptables-{sys.argv[4]} rules, {sys.argv[3]} routes, {reps} reps, interleaved")
print("what           median ms   ratio  spread ms")
for what in ("baseline", "facts", "facts-json", "facts-fast"):
    t = times[what]
    m = statistics.median(t)
    print(f"{what:<12} {m:>10.1f} {m / base:>7.2f}  {min(t):.1f}..{max(t):.1f}")
' "$TMP/times" "$RULES" "$ROUTES" "$BACKEND"
