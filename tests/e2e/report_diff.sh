#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `netdx report diff A B` (issue 8), no root needed. Two hand-written reports (tests/e2e/data/,
# valid netdx.report/1) from before and after a fix: the nftables drop is GONE, no-listener on
# 8080 went from WARN to ERROR (LEVEL CHANGED, although the client's ephemeral port and the
# message differ), the kernel-drop INFO is UNCHANGED (its count moved), rp-filter and no-listener
# on 9091 APPEARED, and no-listener on 9090 is GONE: a finding of the same rule on another port is
# not the same problem. Checks the text table (80 columns) and --json, the exit codes (0 same
# findings, 1 they differ, 2 usage) and the error messages for unreadable, non-JSON, non-report
# and netdx.report/2 files.
source "$(dirname "$0")/lib.sh"
require_tools /usr/bin/python3

DATA=$NETDX_SOURCE_DIR/tests/e2e/data
A=$DATA/report_before.json
B=$DATA/report_after.json
validate_report "$A"
validate_report "$B"

# run NAME ARGS...: runs netdx (stdout NAME.out, stderr NAME.err) and sets RC.
run() {
    local name=$1
    shift
    RC=0
    "$NETDX" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || RC=$?
}

run text report diff "$A" "$B"
[ "$RC" = 1 ] || fail "diff of different reports: exit code $RC, expected 1"
out=$WORK/text.out
grep -q '^netdx report diff: 5 findings differ$' "$out" || fail "no summary line"
grep -Eq '^APPEARED 2   GONE 2   LEVEL CHANGED 1   UNCHANGED 1$' "$out" || fail "wrong counts"
# One row per finding: CHANGE (15 columns), LEVEL (16), CATEGORY; details indented by 4.
grep -Eq '^CHANGE {9}LEVEL {11}CATEGORY$' "$out" || fail "no table header"
grep -Eq '^APPEARED {7}WARN {12}rp-filter$' "$out" || fail "rp-filter not APPEARED"
grep -Eq '^APPEARED {7}WARN {12}no-listener$' "$out" || fail "no-listener 9091 not APPEARED"
grep -Eq '^GONE {11}ERROR {11}netfilter-drop$' "$out" || fail "netfilter-drop not GONE"
grep -Eq '^GONE {11}WARN {12}no-listener$' "$out" || fail "no-listener 9090 not GONE"
grep -Eq '^LEVEL CHANGED  WARN -> ERROR   no-listener$' "$out" || fail "no LEVEL CHANGED row"
grep -Eq '^UNCHANGED {6}INFO {12}kernel-drop$' "$out" || fail "kernel-drop not UNCHANGED"
grep -q '^    TCP 10\.201\.1\.1:51000 -> 10\.201\.1\.2:8080, 2 -> 6 events$' "$out" ||
    fail "the level change does not show the flow and both counts"
grep -q '^    escalated in B from WARN: 6 events$' "$out" || fail "the escalation is not shown"
grep -q '^    rule netfilter-drop-nftables, netns blue, dev veth0$' "$out" || fail "no rule line"
# Rows come in the order APPEARED, GONE, LEVEL CHANGED, UNCHANGED.
order=$(grep -Eo '^(APPEARED|GONE|LEVEL CHANGED|UNCHANGED) ' "$out" | uniq | tr -d ' ' | paste -sd,)
[ "$order" = "APPEARED,GONE,LEVELCHANGED,UNCHANGED" ] || fail "rows out of order: $order"
awk 'length > 80 { bad = 1 } END { exit bad }' "$out" || fail "a text line is wider than 80 columns"
grep -q '^Notes:' "$out" && fail "notes for two reports with the same probes and filters"

run json report diff --json "$A" "$B"
[ "$RC" = 1 ] || fail "diff --json of different reports: exit code $RC, expected 1"
/usr/bin/python3 - "$WORK/json.out" <<'PY' || fail "netdx report diff --json is wrong (above)"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["schema"] == "netdx.report-diff/1", doc["schema"]
assert doc["identical"] is False
assert doc["counts"] == {"appeared": 2, "gone": 2, "level_changed": 1, "unchanged": 1}, doc["counts"]
by = {}
for c in doc["changes"]:
    f = c["b"] or c["a"]
    by.setdefault(c["change"], set()).add((f["id"], f["flow"]["dport"]))
assert by == {
    "appeared": {("rp-filter", 443), ("no-listener-tcp", 9091)},
    "gone": {("netfilter-drop-nftables", 80), ("no-listener-tcp", 9090)},
    "level-changed": {("no-listener-tcp", 8080)},
    "unchanged": {("kernel-drop-info", 22)},
}, by
changed = next(c for c in doc["changes"] if c["change"] == "level-changed")
assert changed["level"] == {"a": "WARN", "b": "ERROR"}, changed["level"]
assert changed["count"] == {"a": 2, "b": 6}, changed["count"]
assert changed["identity"]["flow"]["sport"] == "ephemeral", changed["identity"]
assert changed["identity"]["flow"]["dport"] == 8080, changed["identity"]
gone = [c for c in doc["changes"] if c["change"] == "gone"]
assert all(c["b"] is None and c["level"]["b"] is None for c in gone), gone
assert doc["a"]["findings"] == 4 and doc["b"]["findings"] == 4 and doc["notes"] == []
PY

# The same findings: exit 0, whichever report is compared with itself, and also when only the
# ephemeral client port, the message quoting it, the count and the times differ.
run same report diff "$A" "$A"
[ "$RC" = 0 ] || fail "a report compared with itself: exit code $RC, expected 0"
grep -q '^netdx report diff: the same findings$' "$WORK/same.out" || fail "identical: no summary"
grep -Eq '^APPEARED 0   GONE 0   LEVEL CHANGED 0   UNCHANGED 4$' "$WORK/same.out" ||
    fail "identical: wrong counts"
/usr/bin/python3 - "$A" "$WORK/rerun.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for f in doc["findings"]:
    f["flow"]["sport"] += 1000
    f["message"] = f["message"].replace(":4", ":5")
    f["count"] += 1
doc["started"] = "2026-03-03T08:00:00.000000Z"
json.dump(doc, open(sys.argv[2], "w"))
PY
validate_report "$WORK/rerun.json"
run rerun report diff --json "$A" "$WORK/rerun.json"
[ "$RC" = 0 ] || fail "another run of the same problems: exit code $RC, expected 0"

# Reversed, what appeared is gone.
run reversed report diff "$B" "$A"
[ "$RC" = 1 ] || fail "reversed diff: exit code $RC, expected 1"
grep -Eq '^APPEARED 2   GONE 2   LEVEL CHANGED 1   UNCHANGED 1$' "$WORK/reversed.out" ||
    fail "reversed: wrong counts"
grep -Eq '^GONE {11}WARN {12}rp-filter$' "$WORK/reversed.out" || fail "reversed: rp-filter not GONE"
grep -Eq '^LEVEL CHANGED  ERROR -> WARN   no-listener$' "$WORK/reversed.out" ||
    fail "reversed: no ERROR -> WARN"

# A GONE that may be unobserved rather than fixed: B without the route probe and stopped early.
/usr/bin/python3 - "$B" "$WORK/blind.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["coverage"]["probes_attached"] = [p for p in doc["coverage"]["probes_attached"] if p["name"] != "route"]
del doc["coverage"]["lost_events"]["route"]
doc["coverage"]["lost_events"]["drop"] = 17
doc["stop_reason"] = "first-error"
json.dump(doc, open(sys.argv[2], "w"))
PY
validate_report "$WORK/blind.json"
run blind report diff "$A" "$WORK/blind.json"
[ "$RC" = 1 ] || fail "blind diff: exit code $RC, expected 1"
grep -q '^Notes:' "$WORK/blind.out" || fail "no notes when B could not see everything A saw"
grep -q '^  - B did not attach probes A had (route)' "$WORK/blind.out" || fail "no note on the probe"
grep -q '^  - B lost 17 events' "$WORK/blind.out" || fail "no note on lost events"
grep -q '^  - B stopped at its first ERROR' "$WORK/blind.out" || fail "no note on first-error"
awk 'length > 80 { bad = 1 } END { exit bad }' "$WORK/blind.out" || fail "a note is wider than 80"
# The other way round the same gaps explain what APPEARED in B.
run blind-reversed report diff --json "$WORK/blind.json" "$A"
/usr/bin/python3 - "$WORK/blind-reversed.out" <<'PY' || fail "reversed blind diff: wrong notes (above)"
import json, sys
notes = json.load(open(sys.argv[1]))["notes"]
for want in ("A did not attach probes B had (route)", "A lost 17 events", "A stopped at its first ERROR"):
    assert any(n.startswith(want) for n in notes), (want, notes)
PY

# Usage errors: exit 2 and a message naming the file and the problem.
expect_usage() { # NAME PATTERN ARGS...
    local name=$1 pattern=$2
    shift 2
    run "$name" "$@"
    [ "$RC" = 2 ] || fail "$name: exit code $RC, expected 2"
    grep -q -- "$pattern" "$WORK/$name.err" || fail "$name: no '$pattern' on stderr"
    [ -s "$WORK/$name.out" ] && fail "$name: wrote to stdout"
    return 0
}
expect_usage missing "netdx: error: cannot read $WORK/nosuch.json: No such file or directory" \
    report diff "$A" "$WORK/nosuch.json"
expect_usage directory "cannot read $WORK: it is a directory" report diff "$WORK" "$B"
printf '{"schema": "netdx.report/1",\n' >"$WORK/truncated.json"
expect_usage truncated "$WORK/truncated.json: not JSON: parse error at line 2" \
    report diff "$WORK/truncated.json" "$B"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["schema"]="netdx.report/2"
json.dump(d, open(sys.argv[2], "w"))' "$A" "$WORK/v2.json"
expect_usage version "v2.json: schema version mismatch: the file is netdx.report/2, this netdx" \
    report diff "$A" "$WORK/v2.json"
echo '{"tool": "something else"}' >"$WORK/other.json"
expect_usage not-report "other.json: not a netdx report: it has no \"schema\": \"netdx.report/1\"" \
    report diff "$WORK/other.json" "$B"
printf '%s\n' '{"type":"header","format":"netdx.record/1"}' '{"type":"event"}' >"$WORK/trail.ndjson"
expect_usage trail "trail.ndjson: not a netdx report: it is a recorded trail (netdx.record/1)" \
    report diff "$A" "$WORK/trail.ndjson"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["findings"][1]["level"]
json.dump(d, open(sys.argv[2], "w"))' "$A" "$WORK/nolevel.json"
expect_usage no-level 'nolevel.json: findings\[1\]: "level" is missing' \
    report diff "$WORK/nolevel.json" "$B"
run one-file report diff "$A"
[ "$RC" = 2 ] || fail "one file: exit code $RC, expected 2"
run group report
[ "$RC" = 2 ] || fail "'netdx report' alone: exit code $RC, expected 2"
grep -q 'diff' "$WORK/group.out" || fail "'netdx report' alone does not list diff"

run help report diff --help
[ "$RC" = 0 ] || fail "--help: exit code $RC"
grep -q '^Examples:' "$WORK/help.out" || fail "--help has no examples"
grep -q 'netdx report diff before.json after.json' "$WORK/help.out" || fail "--help: no example"
pass
