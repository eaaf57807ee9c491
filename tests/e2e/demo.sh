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
grep -q 'at the OUTPUT hook' "$WORK/demo.out" || fail "the netfilter finding does not name OUTPUT"
grep -q '^ERROR  no-listener' "$WORK/demo.out" || fail "no no-listener finding"
grep -q 'nothing listens on TCP port 81 ' "$WORK/demo.out" || fail "the no-listener finding does not name port 81"
left=$(ip netns list | grep -c '^netdx-demo-' || true)
[ "$left" = 0 ] || fail "$left demo namespaces left behind"
leaked=$(leaked_bpf_programs)
[ "$leaked" = 0 ] || fail "$leaked BPF programs left loaded with no process holding them"
pass
