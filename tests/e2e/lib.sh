# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the end-to-end tests. Each test builds its own namespaces (prefix ndxt-<pid>),
# injects one fault, runs the real netdx with real BPF probes, and checks the findings in the JSON
# report. Everything it created is removed on exit, pass or fail.
#
# Skips: without root, BTF or a needed tool a test prints "SKIP: <reason>" and exits 77, which
# ctest reports as skipped. CI sets NETDX_E2E_NO_SKIP=1, turning every skip into a failure.
set -euo pipefail

NETDX=${NETDX:?set NETDX to the netdx binary}
NETDX_SOURCE_DIR=${NETDX_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TEST_NAME=$(basename "$0" .sh)
NS_PREFIX="ndxt-$$"
WORK=$(mktemp -d "/tmp/netdx-e2e-$TEST_NAME.XXXXXX")
BG_PIDS=()
NETDX_PID=""

skip() {
    echo "SKIP: $*"
    if [ "${NETDX_E2E_NO_SKIP:-0}" = 1 ]; then
        echo "FAIL: this run does not allow skipped e2e tests (NETDX_E2E_NO_SKIP=1)"
        exit 1
    fi
    exit 77
}

fail() {
    echo "FAIL: $*"
    for f in "$WORK"/*.out "$WORK"/*.err; do
        [ -s "$f" ] || continue
        echo "---- $(basename "$f")"
        tail -n 60 "$f"
    done
    exit 1
}

pass() {
    echo "PASS: $TEST_NAME${1:+: $1}"
    exit 0
}

cleanup() {
    local rc=$?
    if [ -n "$NETDX_PID" ] && kill -0 "$NETDX_PID" 2>/dev/null; then
        kill -INT "$NETDX_PID" 2>/dev/null || true
        sleep 0.5
        kill -KILL "$NETDX_PID" 2>/dev/null || true
    fi
    for pid in "${BG_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NS_PREFIX-" || true); do
        # bg's subshell dies alone: what it started inside the namespace is killed here.
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

require_root() {
    [ "$(id -u)" = 0 ] || skip "needs root to load BPF programs and create namespaces"
    [ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
    require_tools ip jq
}

require_tools() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || skip "missing tool '$t' (scripts/install-deps.sh installs it)"
    done
}

# ns NAME: the full namespace name for a short name.
ns() { echo "$NS_PREFIX-$1"; }

# in_ns NAME CMD...: runs a command inside one of this test's namespaces.
in_ns() {
    local n=$1
    shift
    ip netns exec "$(ns "$n")" "$@"
}

# make_pair A B SUBNET: namespaces A and B joined by veth, A=10.201.SUBNET.1 B=10.201.SUBNET.2.
make_pair() {
    local a b net
    a=$(ns "$1")
    b=$(ns "$2")
    net=$3
    ip netns add "$a"
    ip netns add "$b"
    ip -n "$a" link add veth0 type veth peer name veth0 netns "$b"
    ip -n "$a" addr add "10.201.$net.1/24" dev veth0
    ip -n "$b" addr add "10.201.$net.2/24" dev veth0
    for n in "$a" "$b"; do
        ip -n "$n" link set lo up
        ip -n "$n" link set veth0 up
    done
}

# bg CMD...: runs a command in the background, killed at exit.
bg() {
    "$@" >/dev/null 2>&1 &
    BG_PIDS+=($!)
}

# start_netdx NAME ARGS...: runs netdx in the background (stdout NAME.out, stderr NAME.err) and
# waits until it reports that its probes are attached.
start_netdx() {
    local name=$1
    shift
    "$NETDX" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    NETDX_PID=$!
    local i
    for i in $(seq 1 100); do
        if grep -q '^netdx: ready' "$WORK/$name.err" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$NETDX_PID" 2>/dev/null; then
            wait "$NETDX_PID" || true
            NETDX_PID=""
            fail "netdx exited before it was ready"
        fi
        sleep 0.1
    done
    fail "netdx was not ready after 10 s"
}

# wait_netdx [TIMEOUT_S]: waits for the background netdx; sets NETDX_RC.
wait_netdx() {
    local timeout=${1:-20} i
    for i in $(seq 1 $((timeout * 10))); do
        kill -0 "$NETDX_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$NETDX_PID" 2>/dev/null; then
        fail "netdx still running after ${timeout} s"
    fi
    NETDX_RC=0
    wait "$NETDX_PID" || NETDX_RC=$?
    NETDX_PID=""
}

# tcp_connect NS ADDR PORT [TIMEOUT_S]: one TCP connection attempt; never fails the test.
tcp_connect() {
    in_ns "$1" timeout "${4:-2}" bash -c "exec 3<>/dev/tcp/$2/$3" >/dev/null 2>&1 || true
}

# validate_report FILE: the report must match docs/report.schema.json.
validate_report() {
    /usr/bin/python3 - "$NETDX_SOURCE_DIR/docs/report.schema.json" "$1" <<'PY' || fail "report $1 does not match the schema"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))
jsonschema.validate(report, schema)
PY
}

# findings FILE JQ_FILTER: prints matching findings (compact JSON, one per line).
findings() { jq -c ".findings[] | select($2)" "$1"; }

# netdx_prog_ids: ids of the netdx BPF programs (all named handle_*) loaded right now.
netdx_prog_ids() {
    bpftool prog show 2>/dev/null | awk '/name handle_/ { sub(":", "", $1); print $1 }'
}

# held_prog_ids: ids of the BPF programs some live process holds, through a program or link fd.
# An fd closed between the glob and the read makes grep exit 2; with pipefail and set -e that
# would end the test silently, so only grep's output counts.
held_prog_ids() {
    { grep -h '^prog_id:' /proc/[0-9]*/fdinfo/* 2>/dev/null || true; } | awk '{print $2}' | sort -u
}

# netdx_held_prog_ids: ids of the BPF programs the running background netdx holds (its helper
# threads open and close netlink sockets meanwhile: the same race).
netdx_held_prog_ids() {
    { grep -h '^prog_id:' /proc/"$NETDX_PID"/fdinfo/* 2>/dev/null || true; } |
        awk '{print $2}' | sort -u
}

# expect_progs_unloaded IDS...: fails if any of these programs is still loaded.
expect_progs_unloaded() {
    local id
    for id in "$@"; do
        if bpftool prog show id "$id" >/dev/null 2>&1; then
            fail "BPF program $id still loaded after netdx exited"
        fi
    done
}

# leaked_bpf_programs: netdx programs still loaded although no process holds them (pinned, or
# left attached). Other netdx runs on the machine hold theirs, so they do not count.
leaked_bpf_programs() {
    comm -23 <(netdx_prog_ids | sort -u) <(held_prog_ids) | wc -l
}
