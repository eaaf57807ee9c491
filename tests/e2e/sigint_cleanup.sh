#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Ctrl-C during diagnose: netdx prints the summary, writes the report, exits 0 (nothing found),
# and leaves no BPF program behind.
source "$(dirname "$0")/lib.sh"
require_root
require_tools bpftool

start_netdx run diagnose --host 10.201.4.2 --diag-keep --json "$WORK/report.json"
ours=$(netdx_held_prog_ids)
[ -n "$ours" ] || fail "no BPF program is held by netdx while diagnose runs"
kill -INT "$NETDX_PID"
wait_netdx 10

[ "$NETDX_RC" = 0 ] || fail "exit code $NETDX_RC after Ctrl-C, expected 0"
grep -q '^Diagnosis: OK' "$WORK/run.out" || fail "no summary after Ctrl-C"
validate_report "$WORK/report.json"
jq -e '.stop_reason == "interrupted"' "$WORK/report.json" >/dev/null || fail "stop_reason is not interrupted"
expect_progs_unloaded $ours
pass
