#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `netdx facts` (issue 5): in a namespace with a blackhole route, a link without carrier (its peer
# is down) and a route flagged linkdown, a generic XDP program, a tc clsact ingress bpf filter
# (direct-action) and a FAILED neighbour, `netdx facts --netns NAME --json` shows each (the BPF
# programs with the ids and names `ip`, `tc` and `bpftool` report) and the text output mentions
# them; an unknown namespace exits 2 listing the known ones; and the command changes nothing on the
# host.
source "$(dirname "$0")/lib.sh"
require_root
require_tools clang python3 tc bpftool

make_pair a b 62
A=$(ns a)
ip -n "$A" route add blackhole 10.9.9.0/24
ip -n "$A" route add 10.9.10.0/24 via 10.201.62.2 dev veth0 metric 7
ip -n "$A" rule add from 10.201.62.0/24 lookup main priority 1000
clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -DNETDX_TEST_VERDICT=XDP_PASS \
    -c "$NETDX_SOURCE_DIR/tests/e2e/bpf/xdp_verdict.bpf.c" -o "$WORK/xdp_pass.o" ||
    fail "cannot build the test XDP program"
ip -n "$A" link set dev veth0 xdpgeneric obj "$WORK/xdp_pass.o" sec xdp ||
    fail "cannot attach the test XDP program"
# A tc program whose function name (netdx_test_tc_verdict) is longer than the kernel's 15-character
# program name: netdx must show the full name, from the program's BTF.
clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -DNETDX_TEST_VERDICT=TC_ACT_OK \
    -c "$NETDX_SOURCE_DIR/tests/e2e/bpf/tc_verdict.bpf.c" -o "$WORK/tc_ok.o" ||
    fail "cannot build the test tc program"
tc -n "$A" qdisc add dev veth0 clsact || fail "cannot add a clsact qdisc"
tc -n "$A" filter add dev veth0 ingress bpf direct-action obj "$WORK/tc_ok.o" sec tc ||
    fail "cannot attach the test tc program"
# What the tools say: ids; names as bpftool shows them (the full name, from BTF) and as tc does
# (the kernel's, cut to 15 characters).
xdp_id=$(ip -n "$A" -j -d link show dev veth0 | jq '.[0].xdp.prog.id')
tc -n "$A" -j filter show dev veth0 ingress | jq -c '[.[] | select(.options.prog)][0]' \
    >"$WORK/tc-filter.json"
tc_id=$(jq '.options.prog.id' "$WORK/tc-filter.json")
[[ $xdp_id =~ ^[0-9]+$ && $tc_id =~ ^[0-9]+$ ]] || fail "no program ids from ip/tc: '$xdp_id' '$tc_id'"
xdp_bpftool_name=$(bpftool -j prog show id "$xdp_id" | jq -r .name)
tc_bpftool_name=$(bpftool -j prog show id "$tc_id" | jq -r .name)
# The peer goes down: veth0 in A loses carrier and its routes get the linkdown flag.
ip -n "$(ns b)" link set veth0 down
# A failed neighbour: nobody answers ARP for .77 on a second veth of A (a veth without carrier
# creates no neighbour entry, and losing the carrier flushes the ones it had).
ip netns add "$(ns c)"
ip -n "$A" link add dum0 type veth peer name peer0 netns "$(ns c)"
ip -n "$A" addr add 10.201.64.1/24 dev dum0
ip -n "$A" link set dum0 up
ip -n "$(ns c)" link set peer0 up
in_ns a ping -c 1 -W 1 10.201.64.77 >/dev/null 2>&1 || true
# Give the neighbour time to reach FAILED (3 probes, 1 s apart).
for _ in $(seq 1 40); do
    [[ $(ip -n "$A" neigh show nud all 10.201.64.77) == *FAILED* ]] && break
    sleep 0.2
done
[[ $(ip -n "$A" neigh show nud all 10.201.64.77) == *FAILED* ]] || fail "the neighbour did not become FAILED"

state() {
    ip -n "$A" -d link show
    ip -n "$A" route show table all
    ip -6 -n "$A" route show table all
    # Neighbour timers (used/confirmed/updated) advance by themselves: not part of the state.
    ip -n "$A" neigh show nud all | sed 's/ *$//'
    ip -n "$A" rule show
    ip -6 -n "$A" rule show
    tc -n "$A" qdisc show
    tc -n "$A" filter show dev veth0 ingress
    tc -n "$A" filter show dev veth0 egress
    ip -d link show
    ip route show table all
    ip rule show
}
state >"$WORK/before.txt"

rc=0
"$NETDX" facts --netns "$A" --json >"$WORK/facts-json.out" 2>"$WORK/facts-json.err" || rc=$?
[ "$rc" = 0 ] || fail "netdx facts --json exit code $rc"
rc=0
"$NETDX" facts --netns "$A" >"$WORK/facts.out" 2>"$WORK/facts.err" || rc=$?
[ "$rc" = 0 ] || fail "netdx facts exit code $rc"
rc=0
"$NETDX" facts >"$WORK/host.out" 2>"$WORK/host.err" || rc=$?
[ "$rc" = 0 ] || fail "netdx facts (host) exit code $rc"
grep -q '^netdx facts: network namespace host ' "$WORK/host.out" || fail "host not read by default"

state >"$WORK/after.txt"
diff -u "$WORK/before.txt" "$WORK/after.txt" >"$WORK/state-diff.out" ||
    fail "netdx facts changed the host's links, routes, neighbours or rules"

/usr/bin/python3 - "$WORK/facts-json.out" "$A" "$xdp_id" "$xdp_bpftool_name" "$WORK/tc-filter.json" \
    "$tc_bpftool_name" <<'PY' || fail "netdx facts --json misses something (above)"
import json, sys
doc = json.load(open(sys.argv[1]))
xdp_id, xdp_bpftool_name = int(sys.argv[3]), sys.argv[4]
tc_filter, tc_bpftool_name = json.load(open(sys.argv[5])), sys.argv[6]
assert doc["netns"]["name"] == sys.argv[2], doc["netns"]
assert doc["gaps"] == [], doc["gaps"]
links = {l["name"]: l for l in doc["links"]}
veth = links["veth0"]
assert veth["admin_up"] is True and veth["carrier"] is False, veth
assert veth["oper_state"] in ("DOWN", "LOWERLAYERDOWN") and veth["kind"] == "veth", veth
xdp = veth["xdp"]
assert xdp and xdp["mode"] == "generic" and xdp["prog_id"] == xdp_id, (xdp, xdp_id)
assert xdp["prog_name"] == "netdx_test_xdp" == xdp_bpftool_name, (xdp, xdp_bpftool_name)
assert links["lo"]["xdp"] is None and links["lo"]["carrier"] is True, links["lo"]
assert links["lo"]["tc_qdisc"] is None and links["lo"]["tc_filters"] == [], links["lo"]
# The tc filter: what `tc -j filter show` says, with the full function name where tc shows the
# kernel's name, cut to 15 characters.
assert veth["tc_qdisc"] == "clsact", veth
filters = veth["tc_filters"]
assert len(filters) == 1, filters
f = filters[0]
assert f["direction"] == "ingress" and f["kind"] == "bpf" and f["direct_action"] is True, f
assert f["prog_id"] == tc_filter["options"]["prog"]["id"], (f, tc_filter)
assert f["prog_name"] == "netdx_test_tc_verdict" == tc_bpftool_name, (f, tc_bpftool_name)
kernel_name = tc_filter["options"]["prog"]["name"]
assert len(kernel_name) == 15 and f["prog_name"].startswith(kernel_name), (f, kernel_name)
assert f["bpf_name"] == tc_filter["options"]["bpf_name"] == "tc_ok.o:[tc]", (f, tc_filter)
assert f["prio"] == tc_filter["pref"] and f["protocol"] == tc_filter["protocol"] == "all", f
assert f["handle"] == int(tc_filter["options"]["handle"], 16), (f, tc_filter)
routes = doc["routes"]
bh = [r for r in routes if r["type"] == "blackhole"]
assert [r["dst"] for r in bh] == ["10.9.9.0/24"] and bh[0]["table_name"] == "main", bh
via = [r for r in routes if r["dst"] == "10.9.10.0/24"]
assert via and via[0]["gateway"] == "10.201.62.2" and via[0]["priority"] == 7, via
assert via[0]["linkdown"] is True and "linkdown" in via[0]["flags"] and via[0]["dev"] == "veth0", via
assert any(r["table_name"] == "local" and r["type"] == "local" for r in routes), "no local table"
neigh = [n for n in doc["neighbours"] if n["address"] == "10.201.64.77"]
assert neigh and neigh[0]["state"] == "FAILED" and neigh[0]["dev"] == "dum0", neigh
assert neigh[0]["lladdr"] == "", neigh
rules = [r for r in doc["rules"] if r["priority"] == 1000]
assert rules and rules[0]["src"] == "10.201.62.0/24" and rules[0]["table_name"] == "main", rules
assert any(r["priority"] == 32766 and r["family"] == "inet6" for r in doc["rules"])
print(f'facts read in {doc["duration_us"]} us: {len(doc["links"])} links, {len(routes)} routes, '
      f'{len(doc["neighbours"])} neighbours, {len(doc["rules"])} rules')
PY

out=$WORK/facts.out
for section in Links Addresses Routes Neighbours Rules; do
    grep -q "^$section (" "$out" || fail "the text output has no $section section"
done
grep -Eq '^ +[0-9]+ veth0 +up NO-CARRIER oper [A-Z]+ mtu 1500 veth' "$out" ||
    fail "the text output does not show veth0 up without carrier"
grep -Eq "^ {24}xdp generic prog-id $xdp_id name netdx_test_xdp\$" "$out" ||
    fail "the text output does not show the XDP program"
grep -Eq '^ {24}tc ingress bpf pref [0-9]+ proto all handle 0x1 ' "$out" ||
    fail "the text output does not show the tc filter on a line of its own"
# Continuation lines (wrapped at 80 columns) joined back to their entry.
joined=$WORK/facts-joined.txt
sed -z 's/\n   \+\([^ 0-9]\)/ \1/g' "$out" >"$joined"
grep -Eq '^  inet +main +blackhole 10\.9\.9\.0/24 ' "$joined" || fail "no blackhole route in the text"
grep -Eq '^  inet +main +10\.9\.10\.0/24 via 10\.201\.62\.2 dev veth0 .*metric 7 linkdown$' "$joined" ||
    fail "no linkdown route in the text"
grep -Eq '^  10\.201\.64\.77 +dev dum0 FAILED$' "$out" || fail "no FAILED neighbour in the text"
grep -Eq '^  inet +1000: +from 10\.201\.62\.0/24 lookup main$' "$out" || fail "no rule 1000 in the text"
# A program's line (24 columns in) continues 26 columns in: join those back to it.
programs=$WORK/facts-programs.txt
sed -z 's/\n \{26\}\([^ ]\)/ \1/g' "$out" >"$programs"
grep -Eq "^ {24}tc ingress bpf pref [0-9]+ proto all handle 0x1 prog-id $tc_id \
name netdx_test_tc_verdict direct-action bpf-name tc_ok\.o:\[tc\]\$" "$programs" ||
    fail "no tc filter program in the text"
awk 'length > 80 { bad = 1 } END { exit bad }' "$out" || fail "a text line is wider than 80 columns"

rc=0
"$NETDX" facts --netns "$NS_PREFIX-nosuch" >"$WORK/unknown.out" 2>"$WORK/unknown.err" || rc=$?
[ "$rc" = 2 ] || fail "unknown netns: exit code $rc, expected 2"
grep -q "unknown network namespace '$NS_PREFIX-nosuch'" "$WORK/unknown.err" ||
    fail "unknown netns: no error naming it"
grep -q "available: host, .*$A" "$WORK/unknown.err" || fail "unknown netns: known names not listed"
pass
