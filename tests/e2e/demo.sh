#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `netdx demo` (what `make run` runs): both faults diagnosed, nothing left behind.
source "$(dirname "$0")/lib.sh"
require_root
require_tools iptables bpftool

rc=0
"$NETDX" demo >"$WORK/demo.out" 2>"$WORK/demo.err" || rc=$?
[ "$rc" = 0 ] || fail "demo exit code $rc"
grep -q '^ERROR  netfilter-drop' "$WORK/demo.out" || fail "no netfilter-drop finding"
grep -q '^ERROR  no-listener' "$WORK/demo.out" || fail "no no-listener finding"
# Prose wraps at 80 columns: read the output as one line.
flat=$(tr -s ' \n' ' ' <"$WORK/demo.out")
grep -q 'at the OUTPUT hook' <<<"$flat" || fail "the netfilter finding does not name OUTPUT"
grep -q 'nothing listens on TCP port 81 ' <<<"$flat" || fail "the no-listener finding does not name port 81"
# The findings and the diagnosis fit 80 columns; only commands (kept whole to be copied) and the
# demo's own scenario headers may be wider.
awk 'length > 80 && !/^ +ip netns exec / && !/^(===|    [a-z]+: |netdx demo:)/' \
    "$WORK/demo.out" | grep . && fail "lines wider than 80 columns (other than commands)"
left=$(ip netns list | grep -c '^netdx-demo-' || true)
[ "$left" = 0 ] || fail "$left demo namespaces left behind"
leaked=$(leaked_bpf_programs)
[ "$leaked" = 0 ] || fail "$leaked BPF programs left loaded with no process holding them"
pass
