#!/usr/bin/env python3
"""Alert delivery: event accepted → visible in Alertmanager, and a burst of
events through the durable outbox, beside Prometheus' own notifier path.

1. Latency: the daemon on a fixture root with host.memory raising and
   clearing on every scan (raise_after = clear_after = 1), one real
   Alertmanager on loopback.  Each round flips the fixture, sends SIGUSR1
   and polls Alertmanager's API every 2 ms until the alert's state changed.
   Measured from the event's own `time` (when it entered the store and the
   outbox, synchronous=FULL) to the poll that saw it: median and p99.
   For comparison, the same Alertmanager measured from a POST made by a
   plain client (what Prometheus' notifier does after its evaluation):
   that is the floor of the Alertmanager side.
2. Burst: bench/outbox-burst appends N events to a fresh store (fsync per
   event, as the daemon does) with one Alertmanager sink, and runs the
   loop until every event is delivered: events/s and peak RSS.

    bench/delivery.py BUILD_DIR [RESULTS_DIR]
"""
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "tests", "sinks"))
import benchlib  # noqa: E402
from harness import Alertmanager, Daemon  # noqa: E402

ROUNDS = 40
BURST = 5000


def parse_time(s):
    return datetime.datetime.strptime(s.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f") \
        .replace(tzinfo=datetime.timezone.utc).timestamp()


def active(am):
    return bool(am.alerts())


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def latency(build, work, am):
    conf = ("[agent]\nhost = bench\nuser = root\nflap_changes = 0\n[host]\ninterval = 1h\n"
            "[disks]\nenabled = no\n[mdraid]\nenabled = no\n"
            "[hwraid]\nenabled = no\n[kmsg]\nenabled = no\n"
            "[sensors]\nenabled = no\n[net]\nenabled = no\n"
            "[check:host.memory]\nraise_after = 1\nclear_after = 1\n"
            "[sink:am]\ntype = alertmanager\nheartbeat = no\n"
            "url = http://127.0.0.1:%d\n[sink:out]\ntype = stdout\n"
            % am.port)
    d = Daemon(os.path.join(build, "forewarnd"), work, conf)
    d.start()
    evpath = os.path.join(work, "events.jsonl")
    ours = []
    try:
        for i in range(ROUNDS):
            want = i % 2 == 0
            d.meminfo(100000 if want else 4000000)
            n = len(open(evpath).readlines())
            d.proc.send_signal(signal.SIGUSR1)
            end = time.time() + 10
            while active(am) != want and time.time() < end:
                time.sleep(0.002)
            seen = time.time()
            lines = open(evpath).readlines()[n:]
            ev = [json.loads(l) for l in lines if '"host.memory"' in l]
            if ev:
                ours.append((seen - parse_time(ev[0]["time"])) * 1000)
    finally:
        d.stop()
    return ours


def floor(am):
    """A plain POST to the same Alertmanager, until the API shows it."""
    out = []
    for i in range(ROUNDS):
        want = i % 2 == 0
        now = datetime.datetime.now(datetime.timezone.utc)
        ends = now + (datetime.timedelta(minutes=5) if want else
                      datetime.timedelta(0))
        body = json.dumps([{"labels": {"alertname": "host.memory",
                                       "host": "floor"},
                            "startsAt": now.isoformat(),
                            "endsAt": ends.isoformat()}]).encode()
        t0 = time.time()
        req = urllib.request.Request(
            "http://127.0.0.1:%d/api/v2/alerts" % am.port, data=body,
            headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=5).read()
        end = time.time() + 10
        while active(am) != want and time.time() < end:
            time.sleep(0.002)
        out.append((time.time() - t0) * 1000)
    return out


def burst(build, work, am):
    tool = os.path.join(build, "bench", "outbox-burst")
    conf = os.path.join(work, "burst.conf")
    with open(conf, "w") as f:
        f.write("[sink:am]\ntype = alertmanager\nheartbeat = no\n"
                "resend = 1h\nurl = http://127.0.0.1:%d\n" % am.port)
    p = subprocess.run(["/usr/bin/time", "-f", "%M", tool, conf,
                        os.path.join(work, "burst-state"), str(BURST)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    m = re.search(r"(\d+) events in ([\d.]+) s", p.stdout)
    rss = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "?"
    return (int(m.group(1)), float(m.group(2)), rss) if m else None


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    results = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here,
                                                                 "results")
    work = tempfile.mkdtemp()
    am = Alertmanager(work, "am")
    am.start()
    try:
        os.makedirs(os.path.join(work, "lat"))
        ours = latency(build, os.path.join(work, "lat"), am)
        base = floor(am)
        b = burst(build, work, am)
    finally:
        am.stop()
        shutil.rmtree(work, ignore_errors=True)
    lines = ["# alert delivery, %s" % datetime.date.today(), "",
             "Machine: %s, %d CPUs, %s; Alertmanager 0.25 (Debian) on "
             "loopback; %d rounds." % (platform.node(), os.cpu_count(),
                                       platform.release(), ROUNDS), "",
             "| path | median ms | p99 ms |", "|---|---|---|"]
    if ours:
        lines.append("| forewarnd: event stored → visible in Alertmanager's "
                     "API | %.1f | %.1f |" % (statistics.median(ours),
                                              pct(ours, 99)))
    if base:
        lines.append("| a plain client's POST → visible (the floor, as "
                     "Prometheus' notifier) | %.1f | %.1f |" % (
                         statistics.median(base), pct(base, 99)))
    if ours and base:
        lines += ["", "Ratio of medians: %.2f× the floor." % (
            statistics.median(ours) / statistics.median(base))]
    if b:
        lines += ["", "Burst: %d events appended (fsync each) and delivered "
                  "to Alertmanager in %.2f s: %.0f events/s, peak RSS %s "
                  "KiB." % (b[0], b[1], b[0] / b[1] if b[1] else 0, b[2])]
    text = "\n".join(lines) + "\n"
    print(text)
    summary = []
    if ours and base:
        summary.append(("event → visible in Alertmanager, median (p99)",
                        "%.1f ms (%.1f)" % (statistics.median(ours),
                                            pct(ours, 99)),
                        "%.1f ms (%.1f) (a bare POST)" % (
                            statistics.median(base), pct(base, 99)),
                        statistics.median(ours) / statistics.median(base)))
    if b:
        summary.append(("burst through the durable outbox", "%.0f events/s"
                        % (b[0] / b[1] if b[1] else 0), "", None))
    benchlib.write(results, "delivery", text, summary)


if __name__ == "__main__":
    main()
