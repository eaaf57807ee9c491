#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# netdx drops (issue 4 items 7 and 8): an iptables DROP in the client's OUTPUT chain for one TCP
# port. Per-packet mode (--json --record) streams NETFILTER_DROP events for that port and records
# them in a netdx.record/1 trail; --summary counts them in the kernel into a NETFILTER_DROP row.
# Both runs stop by themselves (--duration) and leave no BPF program behind.
source "$(dirname "$0")/lib.sh"
require_root
require_tools iptables ncat bpftool

PORT=8040
make_pair client server 40
bg in_ns server ncat -lk 10.201.40.2 $PORT
in_ns client iptables -A OUTPUT -d 10.201.40.2/32 -p tcp --dport $PORT -j DROP
CLIENT=$(ns client)

# ---- per packet: NDJSON on stdout, and the record file
start_netdx packets drops --netns "$CLIENT" --json --duration 4 --record "$WORK/trail.ndjson"
ours=$(netdx_held_prog_ids)
[ -n "$ours" ] || fail "no netdx BPF program is loaded while 'netdx drops' runs"
for _ in 1 2 3; do
    tcp_connect client 10.201.40.2 $PORT 1
done
wait_netdx 15
[ "$NETDX_RC" = 0 ] || fail "netdx drops exited with $NETDX_RC, expected 0"

/usr/bin/python3 - "$WORK/packets.out" "$CLIENT" $PORT <<'PY' || fail "per-packet NDJSON output"
import json, sys
path, ns, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [l for l in open(path) if l.strip()]
events = []
for n, line in enumerate(lines, 1):
    obj = json.loads(line)  # every line is one JSON object
    if obj["type"] == "event":
        events.append(obj["event"])
assert events, "no event lines"
assert all(e["netns_name"] == ns for e in events), "an event from another netns passed --netns"
hits = [e for e in events if e["kind"] == "drop" and e["drop"]["reason"] == "NETFILTER_DROP"
        and e["pkt"].get("dport") == port and e["pkt"]["daddr"] == "10.201.40.2"]
assert hits, "no NETFILTER_DROP event for dport %d in %d events" % (port, len(events))
assert hits[0]["drop"]["location"], "no drop location"
print("%d events, %d NETFILTER_DROP to port %d" % (len(events), len(hits), port))
PY

/usr/bin/python3 - "$WORK/trail.ndjson" "$WORK/packets.out" $PORT "$(uname -r)" <<'PY' ||
import json, sys
trail, out, port, kernel = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lines = open(trail).read().splitlines()
header = json.loads(lines[0])
assert header["type"] == "header", header
assert header["format"] == "netdx.record/1", header
assert header["netdx_version"], header
assert header["kernel"] == kernel, header
assert "drops" in header["command"] and header["started"].endswith("Z"), header
events = [json.loads(l)["event"] for l in lines[1:]]
assert all(json.loads(l)["type"] == "event" for l in lines[1:])
streamed = [json.loads(l)["event"] for l in open(out) if '"type":"event"' in l]
assert events == streamed, "the record holds %d events, stdout %d" % (len(events), len(streamed))
assert any(e["drop"]["reason"] == "NETFILTER_DROP" and e["pkt"].get("dport") == port
           for e in events), "no NETFILTER_DROP event in the record"
PY
    fail "the record file is not a netdx.record/1 trail of the streamed events"
grep -q "^netdx: recorded [1-9][0-9]* events to $WORK/trail.ndjson" "$WORK/packets.err" ||
    fail "no 'recorded N events' line on stderr"
expect_progs_unloaded $ours

# ---- summary: counted in the kernel, a table per interval
start_netdx summary drops --summary --interval 1 --duration 3 --netns "$CLIENT" --dport $PORT
ours=$(netdx_held_prog_ids)
[ -n "$ours" ] || fail "no netdx BPF program is loaded while 'netdx drops --summary' runs"
for _ in 1 2; do
    tcp_connect client 10.201.40.2 $PORT 1
done
wait_netdx 15
[ "$NETDX_RC" = 0 ] || fail "netdx drops --summary exited with $NETDX_RC, expected 0"
row=$(grep -E "^ +[1-9][0-9]* +[0-9.]+ +NETFILTER_DROP +[^ ]+ +$CLIENT\$" "$WORK/summary.out" | head -n 1)
[ -n "$row" ] || fail "no NETFILTER_DROP row for netns $CLIENT in the summary"
grep -qE '^[0-9:]{8}  last [0-9.]+ s: ' "$WORK/summary.out" || fail "no interval table title"
grep -qE '^total over [0-9.]+ s: [1-9][0-9]* drops' "$WORK/summary.out" || fail "no total table"
if grep -vE "NETFILTER_DROP|^ +COUNT|^[0-9:]{8}  last|^total over|^$" "$WORK/summary.out" |
    grep -q .; then
    fail "rows other than NETFILTER_DROP passed --netns $CLIENT --dport $PORT"
fi
expect_progs_unloaded $ours

pass "$(echo "$row" | awk '{print $1 " drops, " $3 " at " $4}')"
