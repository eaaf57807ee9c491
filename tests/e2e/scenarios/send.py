#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Sends the tcp and udp traffic items of a scenario; run.py runs it inside a namespace.

usage: send.py tcp|udp HOST PORT COUNT INTERVAL_S TIMEOUT_S SIZE

Prints `t0 <CLOCK_MONOTONIC seconds>` right before the first packet, then one line per attempt.
tcp: COUNT connect attempts (TIMEOUT_S each), each closed at once, one line each. udp: COUNT
datagrams of SIZE bytes, one line in all. Never fails because a packet was refused or lost.
"""

import socket
import sys
import time


def main(kind, host, port, count, interval, timeout, size):
    print("t0", time.monotonic(), flush=True)
    sent = 0
    for i in range(int(count)):
        time.sleep(float(interval) if i else 0)
        if kind == "tcp":
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.settimeout(float(timeout))
                try:
                    s.connect((host, int(port)))
                    print("connected", flush=True)
                except OSError as e:
                    print("connect:", e, flush=True)
        else:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(b"x" * int(size), (host, int(port)))
                sent += 1
    if kind == "udp":
        print(f"sent {sent} datagrams of {size} bytes", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:8])
