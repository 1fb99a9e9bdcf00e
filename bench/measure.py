#!/usr/bin/python3
"""bench/measure.py - time credential helpers side by side, in one run.

Reads a JSON list of groups on stdin (bench/run.sh writes it):

    [{"group": "git get, keyring",
      "cases": [{"name": "git-credential-cobo", "argv": [...], "stdin": "...",
                 "expect": "password=pw"}, ...]}, ...]

The first case of a group is ours; every other case is a peer, and the
table gives ours/peer ratios.  Each round runs every case of the group once,
in a fresh random order, so the machine's noise falls on all of them alike.
Every run must exit 0 and print `expect` on stdout, or the benchmark stops:
a peer that answers "not found" quickly would otherwise look fast.

Per case: wall time (median and 90th percentile), CPU time (user + system,
median) and peak resident memory (median), all from wait4() of the child in
bench/spawn.c (see there why not from here).
With --instructions, one extra run under callgrind counts instructions,
which repeat exactly for the same binary and input whatever the load.

A group with "per_call": true compares clients of an API per call (CPU per
signed call, bench/README.md "Signed resource calls").  Its cases may add:

    "calls": N          the calls one run makes (0: start-up only; default 1)
    "minus": NAME       per call = (this - NAME) / (N - NAME's calls): the
                        start-up a long-running client pays once is taken out
    "server_pid": PID   a long-running server the calls pass through (the
                        signing proxy): its CPU over every measured run of the
                        case (/proc/PID/stat), per call, is added
    "expect_count": K   `expect` must occur exactly K times on stdout

and the group names its "reference" case (the SDK): the ratio is
this / reference, CPU per call, client and server together.
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile


def run_measured(case, spawn):
    """One run through bench/spawn: (wall s, cpu s, maxrss KiB) of the child alone."""
    r_rep, w_rep = os.pipe()
    p = subprocess.Popen([spawn, str(w_rep)] + case["argv"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=case_env(case),
                         pass_fds=(w_rep,))
    os.close(w_rep)
    out, err = p.communicate(case.get("stdin", "").encode())
    with os.fdopen(r_rep) as f:
        report = f.read().split()
    if p.returncode != 0 or len(report) != 4:
        raise RuntimeError("%s: spawn failed (exit %d): %r" % (case["name"], p.returncode, err[:200]))
    wall_ns, cpu_ns, rss, code = (int(x) for x in report)
    want = case.get("expect", "").encode()
    seen = out.count(want) if want else 1
    if code != 0 or not seen or seen != case.get("expect_count", seen):
        raise RuntimeError("%s: exit %d, %d of %s expected answers, stdout %r, stderr %r" % (
            case["name"], code, seen, case.get("expect_count", "1+"), out[:200], err[:200]))
    return wall_ns / 1e9, cpu_ns / 1e9, rss


def proc_cpu(pid):
    """CPU seconds (user + system, every thread, living or gone) of a running process."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def case_env(case):
    env = dict(os.environ)
    env.update(case.get("env", {}))
    return env


def instructions(case):
    """Instructions of one run under callgrind, or None when it cannot tell."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + case["argv"]
        p = subprocess.run(argv, input=case.get("stdin", "").encode(), env=case_env(case),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0 or not os.path.exists(out):
            return None
        with open(out, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"(?:summary|totals): (\d+)", line)
                if m:
                    return int(m.group(1))
    return None


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def measure_group(group, rounds, warmup, count_instr, spawn):
    cases = group["cases"]
    samples = {c["name"]: [] for c in cases}
    for r in range(warmup + rounds):
        order = list(cases)
        random.shuffle(order)
        for c in order:
            s = run_measured(c, spawn)
            if r >= warmup:
                samples[c["name"]].append(s)
    rows = []
    for c in cases:
        s = samples[c["name"]]
        rows.append({
            "name": c["name"],
            "wall_ms": statistics.median(x[0] for x in s) * 1000,
            "wall_p90_ms": pct([x[0] for x in s], 0.9) * 1000,
            "cpu_ms": statistics.median(x[1] for x in s) * 1000,
            "rss_kib": statistics.median(x[2] for x in s),
            "instr": instructions(c) if count_instr else None,
        })
    return rows


def measure_per_call(group, rounds, warmup, spawn):
    """Rows of a per_call group: CPU and wall time per signed call (see the docstring)."""
    cases = {c["name"]: c for c in group["cases"]}
    samples = {n: [] for n in cases}
    server = {n: 0.0 for n in cases}
    for r in range(warmup + rounds):
        order = list(group["cases"])
        random.shuffle(order)
        for c in order:
            pid = c.get("server_pid")
            before = proc_cpu(pid) if pid else 0.0
            s = run_measured(c, spawn)
            if r >= warmup:
                samples[c["name"]].append(s)
                server[c["name"]] += (proc_cpu(pid) - before) if pid else 0.0
    med = {n: (statistics.median(x[0] for x in s), statistics.median(x[1] for x in s),
               statistics.median(x[2] for x in s)) for n, s in samples.items()}
    rows = []
    for c in group["cases"]:
        n, calls = c["name"], c.get("calls", 1)
        row = {"name": n, "calls": calls, "rss_kib": med[n][2],
               "process_cpu_ms": med[n][1] * 1000, "process_wall_ms": med[n][0] * 1000}
        if calls > 0:
            base = cases.get(c.get("minus"))
            bw, bc, k = (med[base["name"]][0], med[base["name"]][1],
                         base.get("calls", 1)) if base else (0.0, 0.0, 0)
            row["client_cpu_ms"] = (med[n][1] - bc) / (calls - k) * 1000
            row["wall_ms"] = (med[n][0] - bw) / (calls - k) * 1000
            row["server_cpu_ms"] = server[n] / (rounds * calls) * 1000
            row["cpu_ms"] = row["client_cpu_ms"] + row["server_cpu_ms"]
        rows.append(row)
    return rows


def print_per_call(group, rows):
    print("\n## %s\n" % group["group"])
    print("| client | calls a process | client CPU ms a call | proxy CPU ms a call |"
          " CPU ms a call | wall ms a call | max RSS KiB | this/SDK: CPU |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    ref = next(r for r in rows if r["name"] == group["reference"])
    for r in rows:
        if r["calls"] == 0:
            print("| %s | 0 | (%.1f a process) | | | (%.1f a process) | %d | |" % (
                r["name"], r["process_cpu_ms"], r["process_wall_ms"], r["rss_kib"]))
            continue
        rat = "(reference)" if r is ref else ratio(r["cpu_ms"], ref["cpu_ms"], "%.3f")
        print("| %s | %d | %.2f | %s | %.2f | %.2f | %d | %s |" % (
            r["name"], r["calls"], r["client_cpu_ms"],
            "%.2f" % r["server_cpu_ms"] if r["server_cpu_ms"] else "-",
            r["cpu_ms"], r["wall_ms"], r["rss_kib"], rat))
    sys.stdout.flush()


def ratio(a, b, fmt="%.2f"):
    return fmt % (a / b) if a is not None and b else "-"


def print_group(title, rows):
    print("\n## %s\n" % title)
    print("| helper | wall ms (median) | wall ms (p90) | CPU ms | max RSS KiB | instructions |"
          " ours/this: wall | CPU | RSS | instr |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ours = rows[0]
    for r in rows:
        instr = "%.1f M" % (r["instr"] / 1e6) if r["instr"] else "-"
        if r is ours:
            rat = "| (ours) | | | "
        else:
            rat = "| %s | %s | %s | %s " % (
                ratio(ours["wall_ms"], r["wall_ms"]), ratio(ours["cpu_ms"], r["cpu_ms"]),
                ratio(ours["rss_kib"], r["rss_kib"]), ratio(ours["instr"], r["instr"]))
        print("| %s | %.1f | %.1f | %.1f | %d | %s %s|" % (
            r["name"], r["wall_ms"], r["wall_p90_ms"], r["cpu_ms"], r["rss_kib"], instr, rat))
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spawn", required=True, help="the built bench/spawn.c")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--instructions", action="store_true",
                    help="also count instructions of one run under callgrind")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    groups = json.load(sys.stdin)
    results = []
    for g in groups:
        if g.get("per_call"):
            rows = measure_per_call(g, args.rounds, args.warmup, args.spawn)
            print_per_call(g, rows)
        else:
            rows = measure_group(g, args.rounds, args.warmup, args.instructions, args.spawn)
            print_group(g["group"], rows)
        results.append({"group": g["group"], "rows": rows})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as e:
        sys.exit("measure.py: a run failed, so nothing it measured would mean anything: %s" % e)
