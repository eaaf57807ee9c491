#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Checks a small netdx_engine_bench run (JSON on stdin): every record decoded, the shipped
rules explained the workload, and both engine phases produced the same findings."""
import json
import sys

result = json.load(sys.stdin)
problems = []
if result["decode_errors"] != 0:
    problems.append(f"{result['decode_errors']} records failed to decode")
phases = {p["name"]: p for p in result["phases"]}
with_decode = phases["decode + engine"]["findings"]
alone = phases["engine only"]["findings"]
if with_decode == 0 or with_decode != alone:
    problems.append(f"findings: {with_decode} with decode, {alone} engine only")
for rule in ("kernel-drop", "netfilter-drop-nftables", "netfilter-drop-xtables",
             "no-listener-tcp", "no-listener-udp"):
    if result["per_rule"].get(rule, {}).get("findings", 0) == 0:
        problems.append(f"rule {rule} found nothing in the workload")
for problem in problems:
    print("bench smoke:", problem)
sys.exit(1 if problems else 0)
