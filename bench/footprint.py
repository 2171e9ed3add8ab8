#!/usr/bin/env python3
"""Idle footprint of the daemon beside collectd and node_exporter.

Each runs alone on this machine with its defaults for the same kind of job
(host health: CPU, memory, load, disks, interfaces): after a warm-up,
resident memory (RSS and PSS, children included) and, over WINDOW seconds,
CPU time and voluntary context switches (wake-ups).  Ratios are
forewarnd / reference; below 1 means forewarnd uses less.

    bench/footprint.py BUILD_DIR [RESULTS_DIR]
"""
import datetime
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

WARMUP = 5
WINDOW = 60
COLLECTD_CONF = """Interval 10
LoadPlugin cpu
LoadPlugin memory
LoadPlugin load
LoadPlugin disk
LoadPlugin interface
LoadPlugin df
"""


def tree(pid):
    """pid and its descendants."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            with open("/proc/%d/task/%d/children" % (p, p)) as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return pids


def sample(pid):
    rss = pss = cpu = wakeups = 0
    for p in tree(pid):
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    k, v = line.split(":", 1)
                    if k == "Rss":
                        rss += int(v.split()[0])
                    elif k == "Pss":
                        pss += int(v.split()[0])
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
                cpu += int(fields[11]) + int(fields[12])
            with open("/proc/%d/status" % p) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches"):
                        wakeups += int(line.split()[1])
        except OSError:
            pass
    return rss, pss, cpu, wakeups


def measure(argv, env=None):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    time.sleep(WARMUP)
    _, _, cpu0, w0 = sample(proc.pid)
    time.sleep(WINDOW)
    rss, pss, cpu1, w1 = sample(proc.pid)
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(10)
    hz = os.sysconf("SC_CLK_TCK")
    return rss, pss, (cpu1 - cpu0) / hz, (w1 - w0) * 60.0 / WINDOW


def main():
    build = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    results = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here,
                                                                  "results")
    tmp = tempfile.mkdtemp()
    rows = [("forewarnd (every built collector, defaults)", measure(
        [os.path.join(build, "forewarnd"), "-c", "/dev/null",
         "--state-dir", os.path.join(tmp, "state")]))]
    if shutil.which("collectd"):
        conf = os.path.join(tmp, "collectd.conf")
        with open(conf, "w") as f:
            f.write(COLLECTD_CONF)
        rows.append(("collectd (cpu memory load disk interface df, 10 s)",
                     measure(["collectd", "-f", "-C", conf])))
    if shutil.which("prometheus-node-exporter"):
        rows.append(("node_exporter (defaults, not scraped)", measure(
            ["prometheus-node-exporter", "--web.listen-address",
             "127.0.0.1:19100"])))
    shutil.rmtree(tmp, ignore_errors=True)
    fw = rows[0][1]
    lines = ["# Idle footprint, %s" % datetime.date.today().isoformat(), "",
             "This machine (%d CPUs), each daemon alone; %d s warm-up, then "
             "a %d s window. RSS/PSS in KiB with children; CPU in seconds "
             "over the window; wake-ups = voluntary context switches per "
             "minute." % (os.cpu_count(), WARMUP, WINDOW), "",
             "| daemon | RSS | PSS | CPU s | wake-ups/min | forewarnd ÷ it "
             "(PSS, CPU, wake-ups) |", "|---|---|---|---|---|---|"]
    for name, (rss, pss, cpu, wk) in rows:
        ratio = lambda a, b: "%.2f" % (a / b) if b else "n/a"
        lines.append("| %s | %d | %d | %.2f | %.1f | %s, %s, %s |" % (
            name, rss, pss, cpu, wk, ratio(fw[1], pss), ratio(fw[2], cpu),
            ratio(fw[3], wk)))
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(results, exist_ok=True)
    with open(os.path.join(results, "%s-footprint.md" %
                           datetime.date.today().isoformat()), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
