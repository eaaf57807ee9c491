#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# docs/netdx.1 is what `make docs` writes (netdx --generate-man, from the same options as
# --help), and it renders: with groff (warnings on) or else `man -l`, and it passes
# `mandoc -T lint` when mandoc is installed. Without groff and man only the comparison runs.
set -euo pipefail
NETDX=${NETDX:?set NETDX to the netdx binary}
NETDX_SOURCE_DIR=${NETDX_SOURCE_DIR:?set NETDX_SOURCE_DIR to the source tree}
page=$NETDX_SOURCE_DIR/docs/netdx.1
work=$(mktemp -d /tmp/netdx-man-page.XXXXXX)
trap 'rm -rf "$work"' EXIT

fail() {
    echo "FAIL: $*"
    exit 1
}

"$NETDX" --generate-man >"$work/netdx.1"
diff -u "$page" "$work/netdx.1" || fail "docs/netdx.1 is out of date: run make docs"

if command -v groff >/dev/null; then
    groff -man -Tutf8 -P-cbou -ww "$page" >"$work/rendered" 2>"$work/warnings" || fail "groff failed"
    [ ! -s "$work/warnings" ] || fail "groff warns about docs/netdx.1: $(cat "$work/warnings")"
    renderer=groff
elif command -v man >/dev/null; then
    MANWIDTH=80 man -l "$page" >"$work/rendered" 2>"$work/warnings" || fail "man -l failed"
    renderer="man -l"
else
    echo "note: neither groff nor man is installed: rendering not checked"
    echo "PASS: docs/netdx.1 is up to date"
    exit 0
fi
for heading in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" FILES EXAMPLES "SEE ALSO"; do
    grep -q "^$heading\$" "$work/rendered" || fail "$renderer output has no $heading section"
done
# Every command has its section, hyphens render as ASCII (commands copy and paste).
grep -q "^   netdx rules explain\$" "$work/rendered" || fail "no section for netdx rules explain"
grep -q -- "--diag-keep" "$work/rendered" || fail "option names do not render as ASCII"

if command -v mandoc >/dev/null; then
    # The page is reproducible (make docs, this diff), so it has no date: .TH names the version.
    mandoc -T lint -W warning "$page" 2>&1 | grep -v 'WARNING: missing date' >"$work/lint" || true
    [ ! -s "$work/lint" ] || fail "mandoc -T lint: $(cat "$work/lint")"
    echo "mandoc -T lint: clean"
else
    echo "note: mandoc is not installed: lint skipped"
fi
echo "PASS: docs/netdx.1 is up to date and renders with $renderer"
