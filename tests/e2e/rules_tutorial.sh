#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The tutorial in docs/rules.md, followed to the letter: its YAML blocks are taken from the docs,
# so the page cannot drift from what netdx does. Needs no root.
source "$(dirname "$0")/lib.sh"

doc="$NETDX_SOURCE_DIR/docs/rules.md"
# The YAML blocks of the tutorial section, in order, without the list indentation.
awk '/^## Tutorial/ {t=1} t && /^   ```yaml/ {n++; f=1; next} t && /^   ```/ {f=0} f {print > (dir "/block" n ".yaml")}' \
    dir="$WORK" "$doc"
[ -s "$WORK/block1.yaml" ] && [ -s "$WORK/block2.yaml" ] || fail "no YAML blocks in the tutorial"
sed 's/^   //' "$WORK/block1.yaml" >"$WORK/site.yaml"
sed 's/^   //' "$WORK/block2.yaml" >"$WORK/site-fixtures.yaml"

"$NETDX" rules explain no-listener-tcp >"$WORK/explain.out" || fail "rules explain failed"
grep -q '^defined at: .*knowledge/sockets.yaml' "$WORK/explain.out" || fail "explain does not say where the rule is defined"

"$NETDX" rules lint "$WORK/site.yaml" >"$WORK/lint.out" 2>"$WORK/lint.err" || fail "the tutorial's rules do not lint"
grep -q ': 0 errors, 0 warnings' "$WORK/lint.out" || fail "the tutorial's rules have warnings"

shipped=$(dirname "$(grep '^defined at:' "$WORK/explain.out" | sed 's/^defined at: //; s/:[0-9]*$//')")/fixtures
"$NETDX" rules test --rules "$WORK/site.yaml" "$shipped" "$WORK/site-fixtures.yaml" \
    >"$WORK/test.out" 2>"$WORK/test.err" || fail "fixtures failed with the tutorial's rules"
grep -q 'FAIL' "$WORK/test.out" && fail "a fixture failed"
grep -q 'PASS  a refused connection to the printer is a warning with our advice' "$WORK/test.out" ||
    fail "the tutorial's fixture did not run"

"$NETDX" rules list --rules "$WORK/site.yaml" >"$WORK/list.out" || fail "rules list failed"
grep -q "^no-listener-tcp .*overridden at $WORK/site.yaml:2" "$WORK/list.out" ||
    fail "rules list does not show the override"

# The change really changes diagnoses: a wrong expectation must fail.
sed 's/level: WARN, message/level: ERROR, message/' "$WORK/site-fixtures.yaml" >"$WORK/wrong.yaml"
if "$NETDX" rules test --rules "$WORK/site.yaml" "$WORK/wrong.yaml" >"$WORK/wrong.out" 2>&1; then
    fail "a fixture expecting the wrong level passed"
fi
grep -q "level WARN, expected ERROR" "$WORK/wrong.out" || fail "the failure does not say why"
pass
