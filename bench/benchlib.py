"""What the benches share: the machine's description, waiting, callgrind
totals, and writing a bench's results (its Markdown file in the results
directory, and its rows for the one summary table bench/summary.py prints
at the end of `make bench`).

A summary row is (what, forewarnd's figure, the reference's figure with its
name, ratio forewarnd ÷ reference or None).
"""
import ctypes
import datetime
import json
import os
import platform
import subprocess
import time
import urllib.request

SUMMARY_DIR = os.environ.get("FW_BENCH_SUMMARY")


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, **kw)


def machine():
    """CPU model, cores, memory and kernel, in one line."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) / 1024 / 1024
    except OSError:
        mem = 0
    return "%s, %d cores, %.1f GiB, Linux %s" % (model, os.cpu_count(), mem,
                                                platform.release())


def enter_netns(ns):
    """This process (and what it starts from now on) into namespace ns."""
    libc = ctypes.CDLL(None, use_errno=True)
    with open("/run/netns/" + ns) as f:
        if libc.setns(f.fileno(), 0x40000000) != 0:    # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), "setns " + ns)


def wait_http(url, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read()
                return True
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("no answer from %s" % url)


def callgrind_total(path):
    """The summary line of a callgrind output file, or None."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def today():
    return datetime.date.today().isoformat()


def cpu_ns(pids):
    """CPU time of pids (every thread) in ns, from schedstat."""
    total = 0
    for pid in pids:
        try:
            for t in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                    total += int(f.read().split()[0])
        except OSError:
            pass
    return total


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def write(results, name, text, summary=()):
    """results/DATE-name.md, and the summary rows for bench/summary.py."""
    os.makedirs(results, exist_ok=True)
    with open(os.path.join(results, "%s-%s.md" % (
            datetime.date.today().isoformat(), name)), "w") as f:
        f.write(text)
    if SUMMARY_DIR:
        os.makedirs(SUMMARY_DIR, exist_ok=True)
        with open(os.path.join(SUMMARY_DIR, name + ".json"), "w") as f:
            json.dump(list(summary), f)
