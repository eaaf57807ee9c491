#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every probe kind fires, in the namespace where its event happened: one run of
# `netdx diagnose --probes all --record` over a few faults (a closed TCP port, a closed UDP port,
# a missing route, a neighbour that never answers, an XDP program that aborts), then the recorded
# trail must hold each kind with the details a rule would read.
source "$(dirname "$0")/lib.sh"
require_root
require_tools clang python3

make_pair cli srv 60
make_pair xa xb 61
# XDP_ABORTED on xb's veth (generic mode): packets from xa raise xdp:xdp_exception.
clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -DNETDX_TEST_VERDICT=XDP_ABORTED \
    -c "$NETDX_SOURCE_DIR/tests/e2e/bpf/xdp_verdict.bpf.c" -o "$WORK/xdp_abort.o" ||
    fail "cannot build the test XDP program"
ip -n "$(ns xb)" link set dev veth0 xdpgeneric obj "$WORK/xdp_abort.o" sec xdp ||
    fail "cannot attach the test XDP program"

start_netdx run diagnose --probes all --diag-keep --duration 9 --record "$WORK/trail.ndjson" \
    --json "$WORK/report.json"

tcp_connect cli 10.201.60.2 9                              # closed TCP port: RST, NO_SOCKET
in_ns cli python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("10.201.60.2", 9)); s.send(b"x")' || true          # closed UDP port: ICMP 3/3
tcp_connect cli 10.202.0.1 80 1                            # no route: lookup error
in_ns cli ping -c 1 -W 1 10.201.60.77 >/dev/null 2>&1 || true # no neighbour: FAILED
in_ns xa ping -c 2 -W 1 10.201.61.2 >/dev/null 2>&1 || true   # XDP_ABORTED
wait_netdx 30
[ "$NETDX_RC" = 0 ] || [ "$NETDX_RC" = 1 ] || fail "netdx exited with $NETDX_RC"
validate_report "$WORK/report.json"

/usr/bin/python3 - "$WORK/trail.ndjson" "$NS_PREFIX" <<'PY' || fail "the recorded trail misses events (above)"
import json, sys
path, prefix = sys.argv[1], sys.argv[2]
with open(path) as f:
    header = json.loads(f.readline() or "{}")
    if header.get("type") != "header":
        sys.exit("no header line")
    # Other traffic on the machine is recorded too: parse only lines that can be ours.
    total = 0
    events = []
    for line in f:
        total += 1
        if prefix in line:
            events.append(json.loads(line)["event"])
ours = [e for e in events if e.get("netns_name", "").startswith(prefix + "-")]

def ns(e):
    return e["netns_name"][len(prefix) + 1:]

def trace(e, key, default=None):
    return e.get("trace", {}).get(key, default)

checks = {
    "drop: NO_SOCKET at the server": lambda e: e["kind"] == "drop" and ns(e) == "srv"
        and e["drop"]["reason"] == "NO_SOCKET",
    "rx: a packet received by the server": lambda e: e["kind"] == "rx" and ns(e) == "srv",
    "tx: a packet queued by the client": lambda e: e["kind"] == "tx" and ns(e) == "cli"
        and trace(e, "tracepoint") == "net:net_dev_queue",
    "route: no route to 10.202.0.1 (err -11) in the client": lambda e: e["kind"] == "route"
        and ns(e) == "cli" and e["pkt"]["daddr"] == "10.202.0.1" and trace(e, "err") == -11,
    "neigh: 10.201.60.77 FAILED in the client": lambda e: e["kind"] == "neigh" and ns(e) == "cli"
        and e["pkt"]["daddr"] == "10.201.60.77" and trace(e, "state") == "FAILED",
    "tcp: reset sent by the server for port 9": lambda e: e["kind"] == "tcp" and ns(e) == "srv"
        and trace(e, "tracepoint") == "tcp:tcp_send_reset" and e["pkt"].get("dport") == 9,
    "tcp: reset received by the client": lambda e: e["kind"] == "tcp" and ns(e) == "cli"
        and trace(e, "tracepoint") == "tcp:tcp_receive_reset",
    "sock: ECONNREFUSED reported to the client socket": lambda e: e["kind"] == "sock"
        and ns(e) == "cli" and trace(e, "tracepoint") == "sock:inet_sk_error_report"
        and trace(e, "err") == 111,
    "sock: SYN_SENT -> CLOSE in the client": lambda e: e["kind"] == "sock" and ns(e) == "cli"
        and trace(e, "old_state") == "SYN_SENT" and trace(e, "state") == "CLOSE",
    "icmp: port unreachable (3/3) sent by the server": lambda e: e["kind"] == "icmp"
        and ns(e) == "srv" and trace(e, "sent_icmp_type") == 3 and trace(e, "sent_icmp_code") == 3,
    "xdp: ABORTED by netdx_test_xdp on xb": lambda e: e["kind"] == "xdp" and ns(e) == "xb"
        and trace(e, "xdp_action") == "ABORTED" and trace(e, "xdp_prog", "").startswith("netdx_test_xd"),
}
missing = [name for name, ok in checks.items() if not any(ok(e) for e in ours)]
for name in missing:
    print("missing:", name)
kinds = sorted({e["kind"] for e in ours})
print(f"{total} events recorded, {len(ours)} in the test namespaces, kinds: {kinds}")
sys.exit(1 if missing else 0)
PY
# The 9 BPF probes, plus netdx's own counter sampling (--probes all turns it on too).
jq -e '[.coverage.probes_attached[].name | select(. != "counters")] | length == 9' "$WORK/report.json" >/dev/null ||
    fail "the report's coverage does not list the 9 probes as attached"
jq -e '[.coverage.probes_attached[].name] | index("counters")' "$WORK/report.json" >/dev/null ||
    fail "the report's coverage does not list the counter sampling"
pass "every probe kind fired and was recorded in its namespace"
