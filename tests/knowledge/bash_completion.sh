#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/netdx.bash-completion is what `make docs` writes (netdx --generate-completion bash, from
# the same options as --help), it is valid bash, and it completes: commands, subcommands,
# options, the values of options, and the drop reasons `rules explain` takes. No root needed.
set -euo pipefail
NETDX=${NETDX:?set NETDX to the netdx binary}
NETDX_SOURCE_DIR=${NETDX_SOURCE_DIR:?set NETDX_SOURCE_DIR to the source tree}
script=$NETDX_SOURCE_DIR/scripts/netdx.bash-completion
failures=0

"$NETDX" --generate-completion bash | diff -u "$script" - || {
    echo "FAIL: scripts/netdx.bash-completion is out of date: run make docs"
    exit 1
}
bash -n "$script" || {
    echo "FAIL: scripts/netdx.bash-completion is not valid bash"
    exit 1
}

# expect_completion WORDS... EXPECTED: what _netdx offers for the command line WORDS, the last
# word being the one completed ("" for a new word); COMP_WORDS[0] is the netdx under test.
expect_completion() {
    local expected=${*: -1} got
    local words=("$NETDX" "${@:1:$#-1}")
    got=$(bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
                   _netdx; echo "${COMPREPLY[*]}"' expect_completion "$script" "${words[@]}")
    if [ "$got" = "$expected" ]; then
        echo "ok: netdx ${*:1:$#-1} -> $got"
    else
        echo "FAIL: netdx ${*:1:$#-1}: expected '$expected', got '$got'"
        failures=$((failures + 1))
    fi
}

expect_completion ru "rules"
expect_completion -v dr "drops"
expect_completion rules "" "lint list test explain"
expect_completion rules ex "explain"
expect_completion diagnose --pro "--proto --probes"
expect_completion diagnose --proto "" "tcp udp icmp icmpv6"
expect_completion drops --proto i "icmp icmpv6"
expect_completion diagnose --probes drop,r "drop,rx drop,route"
expect_completion facts --netns ho "host"
expect_completion facts --json --netns host --no "--no-rule-text"
expect_completion drops --summary --int "--interval"
expect_completion rules explain NO_SOCK "NO_SOCKET"
expect_completion rules explain no-listener-t "no-listener-tcp"
expect_completion diagnose --color = "auto always never"
expect_completion diagnose --color = al "always"
expect_completion diagnose --color never --du "--duration"
expect_completion --gen ""

if [ "$failures" -ne 0 ]; then
    echo "FAIL: $failures completion(s) wrong"
    exit 1
fi
echo "PASS: scripts/netdx.bash-completion is up to date and completes"
