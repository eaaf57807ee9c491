#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A rule file with a YAML error or a condition error: file:line:col, the source line, a caret,
# and exit code 2, before anything is traced (so this needs no root).
source "$(dirname "$0")/lib.sh"

cat >"$WORK/bad-yaml.yaml" <<'YAML'
rules:
  - id: broken
    events: [drop
YAML
rc=0
"$NETDX" diagnose --rules "$WORK/bad-yaml.yaml" >"$WORK/yaml.out" 2>"$WORK/yaml.err" || rc=$?
[ "$rc" = 2 ] || fail "YAML error: exit code $rc, expected 2"
grep -q "bad-yaml.yaml:3:18: error\[E001\]: end of sequence flow not found" "$WORK/yaml.err" ||
    fail "the YAML error does not point at the end of the unclosed list (3:18)"
grep -q "^  |                  ^$" "$WORK/yaml.err" || fail "no caret after the unclosed list"

cat >"$WORK/bad-cond.yaml" <<'YAML'
rules:
  - id: my-rule
    category: kernel-drop
    level: WARN
    events: [drop]
    condition: event.reason == "NO_SOCKET" and event.dprot == 80
    message: "x"
YAML
rc=0
"$NETDX" diagnose --rules "$WORK/bad-cond.yaml" >"$WORK/cond.out" 2>"$WORK/cond.err" || rc=$?
[ "$rc" = 2 ] || fail "condition error: exit code $rc, expected 2"
grep -q "bad-cond.yaml:6:48: error\[E011\]: unknown field 'event.dprot'" "$WORK/cond.err" ||
    fail "condition error not positioned at 6:48"
grep -q "^  |                                                ^~~~~~~~~~~$" "$WORK/cond.err" ||
    fail "no caret under the field"
grep -q "did you mean 'event.dport'" "$WORK/cond.err" || fail "no did-you-mean hint"

# Inputs the fuzzers found: each gives a verdict (exit 0 or 2), never a crash, also as JSON.
for input in "$NETDX_SOURCE_DIR"/bench/fuzz/regressions/*.yaml; do
    for format in "" --json; do
        rc=0
        "$NETDX" rules lint "$input" $format >"$WORK/fuzz.out" 2>"$WORK/fuzz.err" || rc=$?
        [ "$rc" = 0 ] || [ "$rc" = 2 ] ||
            fail "rules lint $format $(basename "$input"): exit code $rc: $(cat "$WORK/fuzz.err")"
        if [ -n "$format" ]; then
            /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$WORK/fuzz.out" ||
                fail "rules lint --json $(basename "$input") is not valid JSON"
        fi
    done
done
pass
