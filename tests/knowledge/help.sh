#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every command's --help (netdx, each command and subcommand, as the generated completion lists
# them) has a description and 2 to 4 examples, and fits in 80 columns.
set -euo pipefail
NETDX=${NETDX:?set NETDX to the netdx binary}
failures=0
commands=$(bash -c 'source /dev/stdin; walk() { echo "$1";
    local sub; for sub in $(_netdx_subcommands "$1"); do walk "${1:+$1 }$sub"; done; }; walk ""' \
    < <("$NETDX" --generate-completion bash))

while IFS= read -r path; do
    # shellcheck disable=SC2086 # the command path is split into words on purpose
    help=$("$NETDX" $path --help) || {
        echo "FAIL: netdx $path --help exits $?"
        failures=$((failures + 1))
        continue
    }
    problems=""
    # The examples: the indented lines under "Examples:"; 2 to 4 per command, netdx itself may
    # show one per command.
    examples=$(awk '/^Examples:/ {e=1; next} e && /^  / {n++; next} {e=0} END {print n+0}' <<<"$help")
    grep -q "^Examples:" <<<"$help" || problems+=" no Examples:"
    if [ "$examples" -lt 2 ] || { [ -n "$path" ] && [ "$examples" -gt 4 ]; }; then
        problems+=" $examples examples, not 2 to 4"
    fi
    wide=$(awk 'length($0) > 80 { print "  " length($0) ": " $0 }' <<<"$help")
    [ -z "$wide" ] || problems+=" lines wider than 80 columns:"$'\n'"$wide"
    [ -n "$(head -n 1 <<<"$help")" ] || problems+=" no description"
    if [ -n "$problems" ]; then
        echo "FAIL: netdx${path:+ $path} --help:$problems"
        failures=$((failures + 1))
    else
        echo "ok: netdx${path:+ $path} --help"
    fi
done <<<"$commands"

[ "$failures" -eq 0 ] || { echo "FAIL: $failures help text(s)"; exit 1; }
echo "PASS: every --help has a description, examples, and fits in 80 columns"
