#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Read-only guarantee: netdx never changes firewall rules, routes, links or sysctls. Three
# namespaces (cli - rtr - srv, rtr forwards) carry firewall state of every kind (iptables-nft with
# a user chain, iptables-legacy, a native nft inet table), a blackhole route, policy rules, an XDP
# program and tc filters. Their state and the root namespace's is dumped, a full netdx session runs
# (check, facts, diagnose --probes all, drops, diagnose interrupted by SIGINT) while traffic hits
# the drops, and the state dumped again must be identical. A control round first (the same
# traffic, no netdx) proves the dump holds nothing that moves by itself.
source "$(dirname "$0")/lib.sh"
require_root
require_tools clang python3 ncat bpftool sysctl tc nft iptables-nft iptables-nft-save \
    ip6tables-nft ip6tables-nft-save iptables-legacy iptables-legacy-save ip6tables-legacy \
    ip6tables-legacy-save

CLI=$(ns cli)
RTR=$(ns rtr)
SRV=$(ns srv)
WORLDS=(host "$CLI" "$RTR" "$SRV")

# ---- topology: cli 10.201.80.2 - .1 rtr .1 - 10.201.81.2 srv (rtr forwards)
for n in "$CLI" "$RTR" "$SRV"; do
    ip netns add "$n"
    ip -n "$n" link set lo up
done
ip -n "$CLI" link add veth0 type veth peer name veth0 netns "$RTR"
ip -n "$SRV" link add veth0 type veth peer name veth1 netns "$RTR"
ip -n "$CLI" addr add 10.201.80.2/24 dev veth0
ip -n "$RTR" addr add 10.201.80.1/24 dev veth0
ip -n "$RTR" addr add 10.201.81.1/24 dev veth1
ip -n "$SRV" addr add 10.201.81.2/24 dev veth0
for l in "$CLI veth0" "$RTR veth0" "$RTR veth1" "$SRV veth0"; do
    ip -n "${l% *}" link set "${l#* }" up
done
ip -n "$CLI" route add default via 10.201.80.1
ip -n "$SRV" route add default via 10.201.81.1
ip netns exec "$RTR" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$CLI" sysctl -qw net.ipv4.conf.veth0.rp_filter=2

# ---- firewall state in every world
# srv, iptables-nft: INPUT jumps to a user chain that drops TCP 8081; conntrack in use.
in_ns srv iptables-nft -N NDX_IN
in_ns srv iptables-nft -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
in_ns srv iptables-nft -A INPUT -p tcp -j NDX_IN
in_ns srv iptables-nft -A NDX_IN -p tcp --dport 8081 -j DROP
in_ns srv ip6tables-nft -A INPUT -p tcp --dport 8081 -j DROP
# rtr, iptables-legacy: forwarded TCP 8082 dropped.
in_ns rtr iptables-legacy -A FORWARD -p tcp --dport 8082 -j DROP
in_ns rtr ip6tables-legacy -A INPUT -p udp --dport 8082 -j DROP
# cli, native nft: the output chain jumps to a regular chain that counts and drops TCP 8083.
in_ns cli nft -f - <<'NFT'
table inet ndxt_ro {
    chain blocked {
        counter drop
    }
    chain output {
        type filter hook output priority filter; policy accept;
        tcp dport 8083 jump blocked
    }
}
NFT
# cli: a blackhole route, and a policy rule sending 10.201.98.0/24 to a table that refuses it.
ip -n "$CLI" route add blackhole 10.201.99.0/24
ip -n "$CLI" route add unreachable 10.201.98.0/24 table 100
ip -n "$CLI" rule add from 10.201.80.0/24 to 10.201.98.0/24 lookup 100 priority 1000
ip -6 -n "$SRV" rule add to fd00:201:98::/64 lookup 100 priority 1000
# srv: a generic XDP program that passes everything (the traffic still flows through it).
clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -DNETDX_TEST_VERDICT=XDP_PASS \
    -c "$NETDX_SOURCE_DIR/tests/e2e/bpf/xdp_verdict.bpf.c" -o "$WORK/xdp_pass.o" ||
    fail "cannot build the test XDP program"
ip -n "$SRV" link set dev veth0 xdpgeneric obj "$WORK/xdp_pass.o" sec xdp ||
    fail "cannot attach the test XDP program"
# rtr: tc state (best effort: kernels without cls_u32 or sch_tbf just lack that part of the fixture).
TC_FIXTURE=1
{
    in_ns rtr tc qdisc add dev veth1 clsact &&
        in_ns rtr tc filter add dev veth1 ingress pref 10 u32 match u32 0 0 &&
        in_ns rtr tc filter add dev veth1 egress pref 20 u32 match u32 0 0 &&
        in_ns rtr tc qdisc add dev veth0 root tbf rate 100mbit burst 64kbit latency 50ms
} 2>"$WORK/tc-setup.log" || {
    TC_FIXTURE=0
    echo "note: no tc filters in the fixture ($(tr '\n' ' ' <"$WORK/tc-setup.log"))"
}
bg in_ns srv ncat -lk 10.201.81.2 8080

# IPv6 link-local addresses start 'tentative' (DAD): the dumps must not race with it.
for _ in $(seq 1 50); do
    tentative=0
    for n in "$CLI" "$RTR" "$SRV"; do
        [ -z "$(ip -n "$n" -6 addr show tentative)" ] || tentative=1
    done
    [ "$tentative" = 0 ] && break
    sleep 0.1
done
[ "$tentative" = 0 ] || fail "IPv6 duplicate address detection did not finish in 5 s"
in_ns cli ping -c 1 -W 2 10.201.81.2 >/dev/null || fail "cli cannot reach srv through rtr"

# traffic: one round of everything the fixture drops or refuses, plus accepted traffic.
traffic() {
    local pids=()
    tcp_connect cli 10.201.81.2 8081 1 & # iptables-nft DROP in NDX_IN at srv
    pids+=($!)
    tcp_connect cli 10.201.81.2 8082 1 & # iptables-legacy FORWARD DROP at rtr
    pids+=($!)
    tcp_connect cli 10.201.81.2 8083 1 & # nft drop in cli's output chain
    pids+=($!)
    tcp_connect cli 10.201.81.2 8084 1   # closed TCP port at srv: RST
    tcp_connect cli 10.201.81.2 8080 1   # accepted (a conntrack entry at srv)
    in_ns cli bash -c 'echo x >/dev/udp/10.201.81.2/9' 2>/dev/null || true # closed UDP port
    in_ns cli ping -c 2 -i 0.2 -W 1 10.201.81.2 >/dev/null 2>&1 || true    # across the router
    in_ns cli ping -c 1 -W 1 10.201.99.1 >/dev/null 2>&1 || true           # blackhole route
    in_ns cli ping -c 1 -W 1 10.201.98.1 >/dev/null 2>&1 || true           # rule -> unreachable
    wait "${pids[@]}" || true
}

# ---- the dump
# sysctls under net.* that move by themselves, found by dumping every namespace here and the root
# one twice, 10 s and 30 s apart, with the traffic above and no netdx (the control round below
# re-checks this on every run):
#   net.netfilter.nf_conntrack_count   the number of conntrack entries: follows traffic.
SYSCTL_VOLATILE='^net\.netfilter\.nf_conntrack_count ='

# in_world WORLD CMD...: a command in the root namespace (host) or in one of ours.
in_world() {
    local w=$1
    shift
    if [ "$w" = host ]; then
        "$@"
    else
        ip netns exec "$w" "$@"
    fi
}

# strip_save: iptables-save output without its '# Generated by ... on <date>' comments and the
# [packets:bytes] counters of the chain policies (they move with traffic).
strip_save() { sed -E '/^#/d; s/ \[[0-9]+:[0-9]+\]$//'; }

# dump_world WORLD: everything netdx must leave alone in one namespace, one '### ' header per part.
dump_world() {
    local w=$1 cmd dev
    for cmd in iptables-legacy-save ip6tables-legacy-save iptables-nft-save ip6tables-nft-save; do
        echo "### $w: $cmd"
        in_world "$w" "$cmd" 2>&1 | strip_save
    done
    echo "### $w: nft -s list ruleset" # -s (stateless): no counter values
    in_world "$w" nft -s list ruleset 2>&1
    echo "### $w: ip -d link show"
    in_world "$w" ip -d link show 2>&1
    # Lifetimes of SLAAC/DHCP addresses and the expiry of RA routes count down by themselves
    # (every address here says 'forever'; a CI host's may not): keep that they are finite only.
    echo "### $w: ip addr show"
    in_world "$w" ip addr show 2>&1 | sed -E 's/(valid|preferred)_lft [0-9]+sec/\1_lft Nsec/g'
    echo "### $w: ip route show table all"
    in_world "$w" ip route show table all 2>&1 | sed -E 's/expires [0-9]+sec/expires Nsec/g'
    echo "### $w: ip -6 route show table all"
    in_world "$w" ip -6 route show table all 2>&1 | sed -E 's/expires [0-9]+sec/expires Nsec/g'
    echo "### $w: ip rule show"
    in_world "$w" ip rule show 2>&1
    echo "### $w: ip -6 rule show"
    in_world "$w" ip -6 rule show 2>&1
    echo "### $w: tc qdisc show"
    in_world "$w" tc qdisc show 2>&1
    for dev in $(in_world "$w" ip -o link show | awk -F': ' '{ sub("@.*", "", $2); print $2 }'); do
        echo "### $w: tc filter show dev $dev ingress"
        in_world "$w" tc filter show dev "$dev" ingress 2>&1
        echo "### $w: tc filter show dev $dev egress"
        in_world "$w" tc filter show dev "$dev" egress 2>&1
    done
    echo "### $w: sysctl -a (net.*, volatile keys excluded)"
    in_world "$w" sysctl -a 2>/dev/null | grep '^net\.' | grep -Ev "$SYSCTL_VOLATILE" || true
}

dump_state() {
    local w
    for w in "${WORLDS[@]}"; do
        dump_world "$w"
    done >"$1"
}

# has FILE WORLD PART PATTERN: the dump's part (header '### WORLD: PART') has a line matching.
has() {
    HEADER="### $2: $3" PATTERN=$4 awk '/^### / { on = ($0 == ENVIRON["HEADER"]); next }
        on && $0 ~ ENVIRON["PATTERN"] { found = 1 } END { exit !found }' "$1" ||
        fail "the dump of '$3' in $2 does not show: $4"
}

# compare A B WHAT: fails with the diff when the two dumps differ.
compare() {
    # -F: each hunk names the part (### WORLD: COMMAND) it is in.
    if ! diff -u -F '^### ' --label "$1" --label "$2" "$WORK/$1.txt" "$WORK/$2.txt" \
        >"$WORK/$1-$2.diff"; then
        cat "$WORK/$1-$2.diff"
        fail "$3"
    fi
}

traffic # warm up: neighbours, conntrack, routes cached before the first dump
dump_state "$WORK/before.txt"
# The dump sees the fixture: a dump that silently lost a part would compare equal forever.
B=$WORK/before.txt
has "$B" "$SRV" iptables-nft-save '^-A NDX_IN -p tcp -m tcp --dport 8081 -j DROP$'
has "$B" "$SRV" iptables-nft-save '^-A INPUT -p tcp -j NDX_IN$'
has "$B" "$SRV" ip6tables-nft-save '^-A INPUT -p tcp -m tcp --dport 8081 -j DROP$'
has "$B" "$RTR" iptables-legacy-save '^-A FORWARD -p tcp -m tcp --dport 8082 -j DROP$'
has "$B" "$RTR" ip6tables-legacy-save '^-A INPUT -p udp -m udp --dport 8082 -j DROP$'
has "$B" "$CLI" "nft -s list ruleset" 'tcp dport 8083 jump blocked'
has "$B" "$CLI" "nft -s list ruleset" '^table inet ndxt_ro'
has "$B" "$SRV" "nft -s list ruleset" '^table ip filter' # iptables-nft's table, seen by nft
has "$B" "$CLI" "ip route show table all" '^blackhole 10\.201\.99\.0/24'
has "$B" "$CLI" "ip route show table all" '^unreachable 10\.201\.98\.0/24 table 100'
has "$B" "$CLI" "ip rule show" '^1000:.*from 10\.201\.80\.0/24 to 10\.201\.98\.0/24 lookup 100'
has "$B" "$SRV" "ip -6 rule show" '^1000:.*to fd00:201:98::/64 lookup 100'
has "$B" "$SRV" "ip -d link show" 'prog/xdp id [0-9]+'
has "$B" "$RTR" "sysctl -a (net.*, volatile keys excluded)" '^net\.ipv4\.ip_forward = 1$'
has "$B" "$CLI" "sysctl -a (net.*, volatile keys excluded)" '^net\.ipv4\.conf\.veth0\.rp_filter = 2$'
has "$B" host "ip -d link show" '^1: lo:'
has "$B" host "sysctl -a (net.*, volatile keys excluded)" '^net\.ipv4\.ip_forward = '
if [ "$TC_FIXTURE" = 1 ]; then
    has "$B" "$RTR" "tc filter show dev veth1 ingress" 'pref 10 u32'
    has "$B" "$RTR" "tc filter show dev veth1 egress" 'pref 20 u32'
    has "$B" "$RTR" "tc qdisc show" '^qdisc tbf .* dev veth0 root'
fi

# ---- control round: the same traffic without netdx changes nothing in the dump
traffic
sleep 2
dump_state "$WORK/control.txt"
compare before control "the state changed without netdx: a volatile field is not excluded"

# ---- a full netdx session
# run_netdx NAME OK_CODES ARGS...: netdx in the foreground; its exit code must be in OK_CODES.
run_netdx() {
    local name=$1 ok=$2 rc=0
    shift 2
    "$NETDX" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
    [[ " $ok " == *" $rc "* ]] || fail "netdx $* exited with $rc, expected one of: $ok"
}
# background NAME OK_CODES ARGS...: netdx in the background with traffic until it stops (or, with
# OK_CODES prefixed by 'int:', until SIGINT); its BPF programs must be gone afterwards.
background() {
    local name=$1 ok=$2 ours
    shift 2
    start_netdx "$name" "$@"
    ours=$(netdx_held_prog_ids)
    [ -n "$ours" ] || fail "netdx $* holds no BPF program while it runs"
    traffic
    if [[ $ok == int:* ]]; then
        ok=${ok#int:}
        kill -INT "$NETDX_PID"
    else
        traffic
    fi
    wait_netdx 20
    [[ " $ok " == *" $NETDX_RC "* ]] || fail "netdx $* exited with $NETDX_RC, expected one of: $ok"
    # shellcheck disable=SC2086
    expect_progs_unloaded $ours
}

run_netdx check 0 check
run_netdx check-json 0 check --json
run_netdx facts-default 0 facts
for w in "${WORLDS[@]}"; do
    run_netdx "facts-$w" 0 facts --netns "$w"
    run_netdx "facts-json-$w" 0 facts --netns "$w" --json
done
background diagnose-all "0 1" diagnose --probes all --diag-keep --duration 4 \
    --json "$WORK/diagnose-all.json" --record "$WORK/diagnose-all.ndjson"
background diagnose-first "0 1" diagnose --probes all --duration 4
background drops 0 drops --duration 2
background drops-summary 0 drops --summary --interval 1 --duration 2
background diagnose-sigint "int:0 1" diagnose --probes all --diag-keep \
    --json "$WORK/diagnose-sigint.json"
jq -e '.stop_reason == "interrupted"' "$WORK/diagnose-sigint.json" >/dev/null ||
    fail "the SIGINT run's report does not say interrupted"
[ "$(leaked_bpf_programs)" = 0 ] || fail "netdx BPF programs left loaded with no holder"
# The session really saw the drops it was meant to leave alone.
grep -q '"NETFILTER_DROP"' "$WORK/diagnose-all.ndjson" ||
    fail "the diagnose run recorded no NETFILTER_DROP: the traffic did not hit the firewall"

dump_state "$WORK/after.txt"
compare before after "netdx changed firewall rules, routes, links, tc or sysctls (diff above)"
pass "$(grep -c '^### ' "$WORK/after.txt") parts in ${#WORLDS[@]} namespaces identical \
after $(find "$WORK" -name '*.out' | wc -l) netdx runs"
