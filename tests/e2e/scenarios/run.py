#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Runs declarative end-to-end scenarios (tests/e2e/scenarios/*.yaml, format in README.md).

Per scenario: build the namespaces, run setup and fault, start `$NETDX diagnose`, send the
traffic once netdx is ready, then check netdx's exit code, its JSON report (against
docs/report.schema.json) and the expected findings. Prints PASS or FAIL with the reasons and,
when an ERROR is expected, `time_to_diagnosis_ms: N`. Exit 0 pass, 1 fail, 77 skipped (1 when
NETDX_E2E_NO_SKIP=1). Everything a scenario created is removed when it ends, pass or fail.

usage: NETDX=build/netdx /usr/bin/python3 tests/e2e/scenarios/run.py SCENARIO.yaml...
"""

import json
import os
import pathlib
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
SOURCE_DIR = pathlib.Path(os.environ.get("NETDX_SOURCE_DIR") or HERE.parents[2])
SKIP_EXIT = 77
READY_TIMEOUT_S = 10
# First words of commands that are shell syntax, not programs to look for.
SHELL_WORDS = frozenset("exec for while if echo true false set test [ :".split())

# Each link is two (namespace, device, address variable) ends of a veth pair.
TOPOLOGIES = {
    "pair": {
        "addresses": {"client_ip": "10.202.1.1", "server_ip": "10.202.1.2"},
        "links": [(("client", "veth0", "client_ip"), ("server", "veth0", "server_ip"))],
        "gateways": {},
    },
    "router": {
        "addresses": {"client_ip": "10.202.1.1", "router_client_ip": "10.202.1.254",
                      "router_server_ip": "10.202.2.254", "server_ip": "10.202.2.2"},
        "links": [
            (("client", "veth0", "client_ip"), ("router", "veth-client", "router_client_ip")),
            (("router", "veth-server", "router_server_ip"), ("server", "veth0", "server_ip")),
        ],
        "gateways": {"client": "router_client_ip", "server": "router_server_ip"},
    },
}


class Skip(Exception):
    """The environment cannot run scenarios (a failure only when NETDX_E2E_NO_SKIP=1)."""


class Failure(Exception):
    """The scenario failed; the message says why."""


def substitute(value, variables):
    """Replaces {name} in every string of value (nested lists and dicts); unknown names fail.
    Braces around anything but a bare lowercase name (nft's `{ type filter ... }`) stay."""
    def one(match):
        if match.group(1) not in variables:
            raise Failure(f"unknown variable {match.group(0)} (known: {', '.join(variables)})")
        return variables[match.group(1)]
    if isinstance(value, str):
        return re.sub(r"\{([a-z_]+)\}", one, value)
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    return value


def load_scenario(path, yaml, jsonschema):
    """Reads a scenario; checks it against scenario.schema.json and the report's categories."""
    try:
        scenario = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as e:
        raise Failure(f"{path}: {e}") from None
    schema = json.loads((HERE / "scenario.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(scenario))
    if error:
        where = "/".join(str(p) for p in error.absolute_path) or "top level"
        raise Failure(f"{path.name}: {where}: {error.message}")
    report_schema = json.loads((SOURCE_DIR / "docs/report.schema.json").read_text())
    for exp in scenario["expect"]:
        if exp["category"] not in report_schema["$defs"]["category"]["enum"]:
            raise Failure(f"{path.name}: expect: unknown category {exp['category']!r}")
    return scenario


def check_environment(scenarios):
    """Returns $NETDX. Raises Skip without root, BTF or a tool, Failure without $NETDX."""
    if os.geteuid() != 0:
        raise Skip("needs root to load BPF programs and create namespaces")
    if not os.access("/sys/kernel/btf/vmlinux", os.R_OK):
        raise Skip("the kernel has no BTF (/sys/kernel/btf/vmlinux)")
    netdx = os.environ.get("NETDX")
    if not netdx or not os.access(netdx, os.X_OK):
        raise Failure(f"set NETDX to the netdx binary (NETDX={netdx!r})")
    tools = {"ip"}
    for scenario in scenarios:
        tools.update(scenario.get("requires", []))
        for item in scenario.get("setup", []) + scenario.get("fault", []) + scenario["traffic"]:
            words = ["ping"] if "ping" in item else shlex.split(item.get("run", ""))
            if words and words[0] not in SHELL_WORDS:
                tools.add(words[0])
    for tool in sorted(tools):
        if not shutil.which(tool):
            raise Skip(f"missing tool '{tool}' (scripts/install-deps.sh installs it)")
    return netdx


def stop_process(proc, sig, group=False):
    """Sends sig to a process this runner started, then SIGKILL after 2 s. With group, to its
    whole process group, leader gone or not, so that no child of it outlives the scenario."""
    for s in (sig, signal.SIGKILL):
        if proc.poll() is not None and not group:
            return
        try:
            os.killpg(proc.pid, s) if group else proc.send_signal(s)
            proc.wait(2)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass


class Lab:
    """The scenario's namespaces (ndxs-<pid>-<name>) and background commands. close() stops
    and removes all of them."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.namespaces = {}  # short name -> full name
        self.background = []  # (Popen, description, log file)

    def build(self, topology):
        """Creates the namespaces, veth links, addresses and routes; returns the variables."""
        spec = TOPOLOGIES[topology]
        # {workdir}: a scratch directory of this run (e.g. for BPF objects a fault compiles);
        # {source_dir}: the repository (tests/e2e/bpf/ holds the tests' own BPF programs).
        variables = dict(spec["addresses"], workdir=str(self.workdir), source_dir=str(SOURCE_DIR))
        for name in dict.fromkeys(end[0] for link in spec["links"] for end in link):
            self.namespaces[name] = variables[f"ns_{name}"] = f"ndxs-{os.getpid()}-{name}"
            self.ip("netns", "add", self.namespaces[name])
            self.ip("-n", self.namespaces[name], "link", "set", "lo", "up")
        for (a, dev_a, _), (b, dev_b, _) in spec["links"]:
            self.ip("-n", self.namespaces[a], "link", "add", dev_a, "type", "veth",
                    "peer", "name", dev_b, "netns", self.namespaces[b])
        for name, dev, address in (end for link in spec["links"] for end in link):
            self.ip("-n", self.namespaces[name], "addr", "add", f"{variables[address]}/24",
                    "dev", dev)
            self.ip("-n", self.namespaces[name], "link", "set", dev, "up")
        for name, gateway in spec["gateways"].items():
            self.ip("-n", self.namespaces[name], "route", "add", "default", "via",
                    variables[gateway])
        if "router" in self.namespaces:
            self.run("router", "echo 1 > /proc/sys/net/ipv4/ip_forward")
        return variables

    def ip(self, *args):
        result = subprocess.run(["ip", *args], capture_output=True, text=True)
        if result.returncode != 0:
            raise Failure(f"ip {' '.join(args)}: {result.stderr.strip()}")

    def exec_argv(self, name, command):
        return ["ip", "netns", "exec", self.namespaces[name], "sh", "-c", command]

    def run(self, name, command, stdin=None, timeout=30, check=True):
        """Runs `sh -c command` in a namespace, in its own process group (all of it is killed
        on a timeout or a signal); returns (exit code, stdout, stderr)."""
        proc = subprocess.Popen(self.exec_argv(name, command), stdin=subprocess.PIPE, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            out, err = proc.communicate(stdin, timeout)
        except subprocess.TimeoutExpired:
            raise Failure(f"[{name}] {command}: still running after {timeout:.0f} s") from None
        finally:
            stop_process(proc, signal.SIGKILL, group=True)
        if check and proc.returncode != 0:
            raise Failure(f"[{name}] {command}: exit {proc.returncode}: {err.strip()}")
        return proc.returncode, out, err

    def start(self, name, command, stdin=None):
        """Starts `sh -c command` in a namespace, in its own process group, until close()."""
        log = open(self.workdir / f"background{len(self.background)}.log", "w")
        proc = subprocess.Popen(self.exec_argv(name, command), stdout=log, text=True,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL)
        if stdin:
            proc.stdin.write(stdin)
            proc.stdin.close()
        self.background.append((proc, f"[{name}] {command}", log))

    def check_background(self):
        """Fails if a background command has exited already (a listener that could not bind)."""
        for proc, what, log in self.background:
            if proc.poll() is not None:
                output = pathlib.Path(log.name).read_text().strip()
                raise Failure(f"background command exited ({proc.returncode}): {what}: {output}")

    def close(self):
        for proc, _, log in self.background:
            stop_process(proc, signal.SIGTERM, group=True)
            log.close()
        for ns in self.namespaces.values():
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


class Netdx:
    """A running `netdx diagnose`, its stdout and stderr read live; finding blocks timestamped."""

    def __init__(self, netdx, args):
        self.proc = subprocess.Popen([netdx, "diagnose", *args], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stdout, self.stderr = [], []
        self.blocks = []  # (CLOCK_MONOTONIC, level, category) of each finding block
        self.ready = threading.Event()
        self.readers = [threading.Thread(target=self._read_stdout, daemon=True),
                        threading.Thread(target=self._read_stderr, daemon=True)]
        for reader in self.readers:
            reader.start()

    def _read_stdout(self):
        for line in self.proc.stdout:
            now = time.monotonic()
            self.stdout.append(line.rstrip("\n"))
            # A block starts `ERROR  netfilter-drop  (rule ...)`; summary lines are indented.
            if line.startswith(("ERROR ", "WARN ", "INFO ")) and len(line.split()) >= 2:
                self.blocks.append((now, *line.split()[:2]))

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip("\n"))
            if line.startswith("netdx: ready"):
                self.ready.set()

    def wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self.ready.wait(0.05):
            if self.proc.poll() is not None:
                raise Failure(f"netdx exited ({self.proc.returncode}) before it was ready")
            if time.monotonic() > deadline:
                raise Failure(f"netdx was not ready after {READY_TIMEOUT_S} s")

    def wait_exit(self, timeout):
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Failure(f"netdx still running {timeout:.0f} s after the traffic") from None
        for reader in self.readers:
            reader.join(2)
        return rc

    def print_tails(self, lines=60):
        for name, text in (("stdout", self.stdout), ("stderr", self.stderr)):
            print(f"---- netdx {name} (last {lines} lines)\n" + "\n".join(text[-lines:]))


def send_traffic(lab, item):
    """Runs one traffic item; never fails on a refused or lost packet. Returns the
    CLOCK_MONOTONIC time of its first packet (tcp, udp) or of its start, and a summary."""
    started = time.monotonic()
    if "tcp" in item or "udp" in item:
        kind = "tcp" if "tcp" in item else "udp"
        host, _, port = item[kind].rpartition(":")
        count, interval = item.get("count", 1), item.get("interval", 0.1)
        timeout = item.get("timeout", 2)
        args = [kind, host, port, count, interval, timeout, item.get("size", 16)]
        command = shlex.join(["/usr/bin/python3", str(HERE / "send.py"), *map(str, args)])
        _, out, err = lab.run(item["ns"], command, timeout=count * (interval + timeout) + 10)
        lines = out.splitlines()
        first = float(lines[0].split()[1]) if lines and lines[0].startswith("t0 ") else started
        return first, f"{kind} {item[kind]}: " + "; ".join(lines[1:] or [err.strip()])
    if "ping" in item:
        count, interval = item.get("count", 1), item.get("interval", 0.2)
        argv = ["ping", "-n", "-c", str(count), "-i", str(interval), "-W", "1"]
        argv += ["-t", str(item["ttl"])] if "ttl" in item else []
        argv += ["-s", str(item["size"])] if "size" in item else []
        argv += ["-M", "do" if item["df"] else "dont"] if "df" in item else []
        _, out, err = lab.run(item["ns"], shlex.join([*argv, item["ping"]]), check=False,
                              timeout=count * interval + 5)
        return started, f"ping {item['ping']}: " + (out.strip().splitlines() or [err.strip()])[-1]
    rc, _, _ = lab.run(item["ns"], item["run"], timeout=item.get("timeout", 10), check=False)
    return started, f"{item['run']}: exit {rc}"


def mismatches(exp, finding, namespaces):
    """Why a finding does not meet an expectation (an empty list when it does)."""
    def strings(value):
        return [value] if isinstance(value, str) else value or []
    problems = [f"{key} is {finding.get(key)!r}" for key in ("category", "level", "id")
                if key in exp and finding.get(key) != exp[key]]
    problems += [f"message lacks {s!r}" for s in strings(exp.get("message"))
                 if s not in finding["message"]]
    problems += [f"no advice contains {s!r}" for s in strings(exp.get("advice"))
                 if not any(s in a["text"] for a in finding["advice"])]
    want_ns = namespaces.get(exp.get("netns"), exp.get("netns"))
    if want_ns is not None and finding["netns"] != want_ns:
        problems.append(f"netns is {finding['netns']!r}, not {want_ns!r}")
    return problems


def check_findings(scenario, findings, namespaces):
    """Checks expect and forbid; returns (problems, the findings that met an expectation)."""
    problems, matched = [], []
    for exp in scenario["expect"]:
        match = next((f for f in findings if not mismatches(exp, f, namespaces)), None)
        if match:
            matched.append(match)
            continue
        near = [f"{f['level']} {f['id']}: {', '.join(mismatches(exp, f, namespaces))}"
                for f in findings if f["category"] == exp["category"]]
        problems.append(f"no finding meets {exp}: " + ("; ".join(near) or "none of that category"))
    for f in findings:
        if f["level"] in scenario.get("forbid", []) and all(f is not m for m in matched):
            problems.append(f"forbidden {f['level']} {f['category']} ({f['id']}): {f['message']}")
    return problems, matched


def read_report(path, jsonschema):
    """The JSON report, validated against docs/report.schema.json."""
    try:
        report = json.loads(path.read_text())
        schema = json.loads((SOURCE_DIR / "docs/report.schema.json").read_text())
        jsonschema.validate(report, schema)
    except (OSError, ValueError) as e:
        raise Failure(f"no readable report: {e}") from None
    except jsonschema.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path)
        raise Failure(f"the report does not match docs/report.schema.json at {where}: {e.message}")
    return report


def expected_exit(scenario):
    """netdx's expected exit code: `exit`, else 1 when an ERROR is expected, else 0."""
    return scenario.get("exit", int(any(e["level"] == "ERROR" for e in scenario["expect"])))


def time_to_diagnosis(stem, scenario, blocks, t0):
    """When an ERROR is expected: prints the ms from t0 to the first ERROR block of an expected
    category and appends {scenario, ms, category} to $NETDX_SCENARIO_TIMES if set. Returns the
    problems (no such block)."""
    wanted = {e["category"] for e in scenario["expect"] if e["level"] == "ERROR"}
    if not wanted:
        return []
    first = next(((when, c) for when, level, c in blocks if level == "ERROR" and c in wanted), None)
    if first is None:
        return ["no ERROR block of an expected category in netdx's text output"]
    ms, category = round((first[0] - t0) * 1000), first[1]
    print(f"time_to_diagnosis_ms: {ms}")
    if os.environ.get("NETDX_SCENARIO_TIMES"):
        with open(os.environ["NETDX_SCENARIO_TIMES"], "a") as f:
            f.write(json.dumps({"scenario": stem, "ms": ms, "category": category}) + "\n")
    return []


def wait_ready(lab, item, limit_s=5.0):
    """Retries the item's `ready` check until it succeeds: a background server has had time to
    bind before the traffic starts (a loaded machine starts python slowly)."""
    deadline = time.monotonic() + limit_s
    while lab.run(item["ns"], item["ready"], check=False)[0] != 0:
        if time.monotonic() > deadline:
            raise Failure(f"[{item['ns']}] not ready after {limit_s:.0f} s: {item['ready']}")
        time.sleep(0.1)


def replay_differences(netdx_path, workdir, report, jsonschema):
    """Golden replay: `netdx replay` of the run's recording, offline, must find the same."""
    replayed = workdir / "replay.json"
    result = subprocess.run([netdx_path, "replay", str(workdir / "trail.ndjson"), "--quiet",
                             "--json", str(replayed)], capture_output=True, text=True, timeout=60)
    if result.returncode not in (0, 1) or not replayed.exists():
        return [f"netdx replay failed ({result.returncode}): {result.stderr.strip()}"]
    again = read_report(replayed, jsonschema)
    def outcome(findings):
        return sorted((f["id"], f["category"], f["level"], f["count"]) for f in findings)
    live, offline = outcome(report["findings"]), outcome(again["findings"])
    if live != offline:
        return [f"the replay of the recording differs: live {live}, replayed {offline}"]
    print(f"  replayed {again['coverage']['events']} recorded events: the same "
          f"{len(offline)} findings")
    return []


def run_scenario(path, scenario, netdx_path, jsonschema):
    """Runs one scenario, printing what happens; raises Failure with every reason it fails."""
    workdir = pathlib.Path(tempfile.mkdtemp(prefix=f"netdx-scenario-{path.stem}-"))
    lab, netdx = Lab(workdir), None
    try:
        scenario = substitute(scenario, lab.build(scenario["topology"]))
        for item in scenario.get("setup", []) + scenario.get("fault", []):
            start = lab.start if item.get("background") else lab.run
            start(item["ns"], item["run"], item.get("stdin"))
            if "ready" in item:
                wait_ready(lab, item)
        duration = scenario.get("duration", 10)
        netdx = Netdx(netdx_path, [*scenario["diagnose"], "--duration", str(duration),
                                   "--json", str(workdir / "report.json"),
                                   "--record", str(workdir / "trail.ndjson")])
        netdx.wait_ready()
        lab.check_background()
        t0 = None
        for item in scenario["traffic"]:
            sent, summary = send_traffic(lab, item)
            t0 = sent if t0 is None else t0
            print(f"  traffic [{item['ns']}] {summary}")
        rc = netdx.wait_exit(duration + 15)
        report = read_report(workdir / "report.json", jsonschema)
        problems, matched = check_findings(scenario, report["findings"], lab.namespaces)
        if rc != expected_exit(scenario):
            problems.insert(0, f"netdx exit code {rc}, expected {expected_exit(scenario)}")
        problems += time_to_diagnosis(path.stem, scenario, netdx.blocks, t0)
        problems += replay_differences(netdx_path, workdir, report, jsonschema)
        if problems:
            raise Failure("\n  ".join(problems))
        for f in report["findings"]:
            what = "matched" if any(f is m for m in matched) else "also"
            print(f"  {what} {f['level']} {f['category']} ({f['id']}): {f['message']}")
        print(f"  {len(report['findings'])} findings, verdict {report['verdict']}")
    except Failure:
        if netdx:
            netdx.print_tails()
        raise
    finally:
        if netdx:
            stop_process(netdx.proc, signal.SIGINT)
        lab.close()
        shutil.rmtree(workdir, ignore_errors=True)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def exit_on_signal(signum, _frame):
    """Unwinds through the finally blocks, which clean up; a second signal cannot cut that."""
    for sig in STOP_SIGNALS:  # a no-op, not SIG_IGN: a signal already pending must not raise
        signal.signal(sig, lambda *_: None)
    print(f"FAIL: stopped by signal {signum}; cleaning up")
    raise SystemExit(128 + signum)


def main(argv):
    sys.stdout.reconfigure(line_buffering=True)
    for sig in STOP_SIGNALS:
        signal.signal(sig, exit_on_signal)
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-1])
        return 2
    paths = [pathlib.Path(a) for a in argv[1:]]
    try:
        try:
            import jsonschema
            import yaml
        except ImportError as e:
            raise Skip(f"the Python module {e.name} is missing (apt-get install python3-yaml "
                       "python3-jsonschema)") from None
        scenarios = [load_scenario(p, yaml, jsonschema) for p in paths]
        netdx_path = check_environment(scenarios)
    except Skip as e:
        print(f"SKIP: {e}")
        if os.environ.get("NETDX_E2E_NO_SKIP") == "1":
            print("FAIL: this run does not allow skipped e2e tests (NETDX_E2E_NO_SKIP=1)")
            return 1
        return SKIP_EXIT
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    failed = 0
    for path, scenario in zip(paths, scenarios):
        print(f"scenario {path.stem}: {scenario['name']}")
        try:
            run_scenario(path, scenario, netdx_path, jsonschema)
            print(f"PASS: {path.stem}")
        except Failure as e:
            print(f"FAIL: {path.stem}\n  {e}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
