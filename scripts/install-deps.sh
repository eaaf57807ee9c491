#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Installs everything netdx needs to build, test and run, from Debian 12 packages only.
# Idempotent and non-interactive: packages already present are not downloaded again.
set -eu

build_deps="cmake make ninja-build pkg-config g++ clang llvm bpftool libbpf-dev libmnl-dev libnftnl-dev libelf-dev zlib1g-dev
    libyaml-cpp-dev libre2-dev libcli11-dev nlohmann-json3-dev doctest-dev"
# Tools the demo and the end-to-end tests use to build namespaces, inject faults and make traffic.
runtime_deps="iproute2 iptables nftables ncat iputils-ping jq python3-jsonschema python3-yaml procps"

missing=""
for pkg in $build_deps $runtime_deps; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing="$missing $pkg"
done
if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run as root (or: sudo $0)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing$missing"
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -qq --no-install-recommends $missing
