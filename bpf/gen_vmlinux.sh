#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Regenerates bpf/vmlinux/<arch>/vmlinux.h from a kernel BTF blob. The build never runs this:
# the header is committed so that building does not depend on the build machine's kernel.
# CO-RE relocates every field access at load time, so one header serves every kernel >= 5.8.
#   usage: bpf/gen_vmlinux.sh [BTF_FILE] [ARCH]   (defaults: /sys/kernel/btf/vmlinux, x86)
set -eu
btf=${1:-/sys/kernel/btf/vmlinux}
arch=${2:-x86}
out="$(dirname "$0")/vmlinux/$arch/vmlinux.h"
mkdir -p "$(dirname "$out")"
bpftool btf dump file "$btf" format c >"$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out from $btf ($(wc -l <"$out") lines)"
