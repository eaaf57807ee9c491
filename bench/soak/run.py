#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/soak (issue 8): netdx diagnose --diag-keep for a long run under mixed faults and healthy
traffic; RSS and CPU sampled every 10 s. The claim it checks: memory stays bounded once warmed up.

usage: sudo bench/soak/run.py [--netdx build/netdx] [--seconds 600] [--warmup 60]
                              [--interval 10] [--json FILE]

Two namespaces of its own (ndxs-<pid>-client/server, 10.209.0.0/24, a veth pair). The server
listens on TCP 80 and UDP 5000. Faults: an iptables DROP in the client's OUTPUT for TCP 81, no
listener on TCP 82 and UDP 5353; the healthy part: TCP connects to 80, UDP to 5000 and pings.
Each second the client connects 20 times to 80, 5 times each to 81 and 82, sends 10 datagrams
to each UDP port and one ping, from changing source ports, so flows keep being new (the roll-up
and correlation state must not grow with them). netdx runs `diagnose --diag-keep --host
<server> --json` with stdout discarded.

Prints one line per sample and a verdict: RSS after warm-up must not grow by more than 10% or
2 MiB (whichever is larger) between the first post-warm-up sample and the last, and the report
must hold the three fault categories. Exit 0 pass, 1 fail, 77 skipped (not root, no netdx).
Everything created is removed on every exit path.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

PY = "/usr/bin/python3"

TRAFFIC = r"""
import socket, subprocess, sys, time
server, seconds = sys.argv[1], float(sys.argv[2])
end = time.monotonic() + seconds
while time.monotonic() < end:
    tick = time.monotonic()
    for port, count in ((80, 20), (81, 5), (82, 5)):
        for _ in range(count):
            s = socket.socket()
            s.settimeout(0.05)
            try:
                s.connect((server, port))
            except OSError:
                pass
            s.close()
    for port in (5000, 5353):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for _ in range(10):
            u.sendto(b"soak", (server, port))
        u.close()
    subprocess.run(["ping", "-c", "1", "-W", "1", "-q", server], stdout=subprocess.DEVNULL)
    time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
"""

SERVER = r"""
import socket, threading, time
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("0.0.0.0", 80)); t.listen(128)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 5000))
def drain():
    while True:
        u.recv(2048)
threading.Thread(target=drain, daemon=True).start()
while True:
    c, _ = t.accept()
    c.close()
"""


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


def sample(pid):
    with open(f"/proc/{pid}/status") as f:
        rss_kib = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return rss_kib, ticks / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--netdx", default=os.path.join(os.path.dirname(__file__), "../../build/netdx"))
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--warmup", type=float, default=60)
    parser.add_argument("--interval", type=float, default=10)
    parser.add_argument("--json", help="write the samples and verdict to this file")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root (namespaces, BPF)")
        return 77
    if not os.access(args.netdx, os.X_OK):
        print(f"SKIP: no netdx binary at {args.netdx}")
        return 77

    tag = f"ndxs-{os.getpid()}"
    client, server = f"{tag}-client", f"{tag}-server"
    server_ip, client_ip = "10.209.0.2", "10.209.0.1"
    procs = []
    workdir = f"/tmp/{tag}"
    os.makedirs(workdir, exist_ok=True)

    def cleanup(*_):
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        for ns in (client, server):
            for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split():
                sh("kill", "-9", pid, check=False)
            sh("ip", "netns", "del", ns, check=False)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        for ns in (client, server):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "link", "add", f"{tag[:8]}c", "netns", client, "type", "veth",
           "peer", "name", f"{tag[:8]}s", "netns", server)
        sh("ip", "-n", client, "addr", "add", f"{client_ip}/24", "dev", f"{tag[:8]}c")
        sh("ip", "-n", server, "addr", "add", f"{server_ip}/24", "dev", f"{tag[:8]}s")
        sh("ip", "-n", client, "link", "set", f"{tag[:8]}c", "up")
        sh("ip", "-n", server, "link", "set", f"{tag[:8]}s", "up")
        sh("ip", "netns", "exec", client, "iptables", "-A", "OUTPUT", "-d", server_ip,
           "-p", "tcp", "--dport", "81", "-j", "DROP")
        procs.append(subprocess.Popen(["ip", "netns", "exec", server, PY, "-c", SERVER]))
        time.sleep(0.5)

        report = os.path.join(workdir, "report.json")
        netdx = subprocess.Popen(
            [args.netdx, "diagnose", "--diag-keep", "--host", server_ip,
             "--duration", str(args.seconds), "--json", report],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "netdx.err"), "w"))
        procs.append(netdx)
        time.sleep(3)  # probes attached, firewall primed
        procs.append(subprocess.Popen(
            ["ip", "netns", "exec", client, PY, "-c", TRAFFIC, server_ip, str(args.seconds - 5)]))

        samples = []
        start = time.monotonic()
        last_cpu, last_t = 0.0, start
        print(f"{'t s':>6} {'RSS MiB':>8} {'CPU %':>6}")
        while netdx.poll() is None:
            time.sleep(args.interval)
            if netdx.poll() is not None:
                break
            rss, cpu = sample(netdx.pid)
            now = time.monotonic()
            pct = 100.0 * (cpu - last_cpu) / (now - last_t)
            last_cpu, last_t = cpu, now
            samples.append({"t_s": round(now - start, 1), "rss_kib": rss, "cpu_pct": round(pct, 1)})
            print(f"{now - start:6.0f} {rss / 1024:8.1f} {pct:6.1f}", flush=True)
        rc = netdx.wait()

        with open(report) as f:
            rep = json.load(f)
        categories = sorted({f["category"] for f in rep["findings"]})
        warm = [s for s in samples if s["t_s"] >= args.warmup]
        growth_kib = warm[-1]["rss_kib"] - warm[0]["rss_kib"] if len(warm) >= 2 else 0
        allowed_kib = max(2048, warm[0]["rss_kib"] // 10) if warm else 0
        events = rep["coverage"]["events"]
        lost = sum(rep["coverage"]["lost_events"].values())
        wanted = {"netfilter-drop", "no-listener"}
        ok = len(warm) >= 2 and growth_kib <= allowed_kib and wanted <= set(categories)
        verdict = {
            "seconds": args.seconds, "warmup_s": args.warmup, "netdx_exit": rc,
            "events": events, "lost": lost, "findings": len(rep["findings"]),
            "categories": categories,
            "rss_after_warmup_kib": warm[0]["rss_kib"] if warm else None,
            "rss_end_kib": warm[-1]["rss_kib"] if warm else None,
            "rss_growth_kib": growth_kib, "rss_allowed_kib": allowed_kib,
            "cpu_pct_median": sorted(s["cpu_pct"] for s in samples)[len(samples) // 2] if samples else None,
            "pass": ok, "samples": samples,
        }
        print(f"events {events}, lost {lost}, findings {len(rep['findings'])} {categories}")
        print(f"RSS after warm-up {verdict['rss_after_warmup_kib']} KiB, at the end "
              f"{verdict['rss_end_kib']} KiB: growth {growth_kib} KiB (allowed {allowed_kib}); "
              f"median CPU {verdict['cpu_pct_median']}%")
        if args.json:
            with open(args.json, "w") as f:
                json.dump(verdict, f, indent=1)
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
