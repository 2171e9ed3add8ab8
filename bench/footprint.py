#!/usr/bin/env python3
"""Idle footprint of the daemon beside collectd and node_exporter, and the
size of what is installed.

The three run at the same time on this machine, each with its defaults
for the same kind of job (host health: CPU, memory, load, disks,
interfaces): forewarnd with every built collector on (its probe helper
included), collectd with cpu, memory, load, disk, interface and df at its
default 10 s, node_exporter with its default collectors scraped every 15 s
(the interval of Prometheus' example configuration; it does nothing
unscraped).  After a warm-up, over WINDOW seconds: CPU time (schedstat, ns,
every thread of the process and its children) scaled to an hour, and
voluntary context switches (wake-ups) per minute; at the end RSS, PSS and
USS (private pages) of the process and its children.  PSS counts shared
library pages in proportion, USS only what the daemon alone holds.

WINDOW is 300 s, forewarnd's longest default period (disks, hwraid), so
every collector polls within it; the warm-up covers every daemon's first
round.  Ratios are forewarnd ÷ reference; below 1 means forewarnd uses
less.

    bench/footprint.py BUILD_DIR [RESULTS_DIR]   (FW_FOOTPRINT_WINDOW=s)
"""
import os
import pwd
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import benchlib  # noqa: E402

WARMUP = 10
WINDOW = int(os.environ.get("FW_FOOTPRINT_WINDOW", "300"))
SCRAPE_S = 15
NE = "127.0.0.1:19100"
COLLECTD_PLUGINS = ("cpu", "memory", "load", "disk", "interface", "df")


def tasks(pid):
    try:
        return os.listdir("/proc/%d/task" % pid)
    except OSError:
        return []


def tree(pid):
    """pid and its descendants (children of every thread)."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        for t in tasks(p):
            try:
                with open("/proc/%d/task/%s/children" % (p, t)) as f:
                    todo += [int(c) for c in f.read().split()]
            except OSError:
                pass
    return pids


def memory(pid):
    """RSS, PSS, USS in KiB of pid and its descendants."""
    rss = pss = uss = 0
    for p in tree(pid):
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    k, v = line.split(":", 1)
                    v = int(v.split()[0])
                    if k == "Rss":
                        rss += v
                    elif k == "Pss":
                        pss += v
                    elif k in ("Private_Clean", "Private_Dirty"):
                        uss += v
        except (OSError, ValueError):
            pass
    return rss, pss, uss


def activity(pid):
    """CPU ns and voluntary context switches of every thread in the tree."""
    cpu = wake = 0
    for p in tree(pid):
        for t in tasks(p):
            try:
                with open("/proc/%d/task/%s/schedstat" % (p, t)) as f:
                    cpu += int(f.read().split()[0])
                with open("/proc/%d/task/%s/status" % (p, t)) as f:
                    for line in f:
                        if line.startswith("voluntary_ctxt_switches"):
                            wake += int(line.split()[1])
            except OSError:
                pass
    return cpu, wake


def scraper(stop):
    while not stop.wait(SCRAPE_S):
        try:
            with urllib.request.urlopen("http://%s/metrics" % NE,
                                        timeout=5) as r:
                r.read()
        except OSError:
            pass


class Neighbours:
    """What else happened on the machine in the window: rtnetlink link and
    address notifications in this namespace and kernel log records — the
    events forewarnd is woken by (collectd and node_exporter only poll)."""

    def __init__(self):
        self.links = 0
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        self.s.bind((0, 0x1 | 0x10 | 0x100))   # LINK, IPV4_IFADDR, IPV6
        self.s.settimeout(0.5)
        self.stop = threading.Event()
        self.kmsg0 = self.kmsg_seq()
        threading.Thread(target=self.count, daemon=True).start()

    def count(self):
        while not self.stop.is_set():
            try:
                d = self.s.recv(65536)
            except OSError:
                continue
            off = 0
            while off + 16 <= len(d):
                ln = struct.unpack_from("=L", d, off)[0]
                self.links += 1
                off += max(16, (ln + 3) & ~3)

    @staticmethod
    def kmsg_seq():
        """The sequence number of the newest kernel log record."""
        try:
            fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            return None
        seq = None
        try:
            while True:         # every record still in the ring, oldest first
                try:
                    rec = os.read(fd, 8192).decode(errors="replace")
                except BlockingIOError:
                    break
                except BrokenPipeError:     # overwritten while reading
                    continue
                seq = int(rec.split(",")[1])
        except (OSError, ValueError, IndexError):
            pass
        finally:
            os.close(fd)
        return seq

    def done(self):
        self.stop.set()
        k = self.kmsg_seq()
        return self.links, (k - self.kmsg0 if k is not None and
                            self.kmsg0 is not None else None)


def sizes(build):
    """(what, KiB) of forewarnd's stripped binary and the references'."""
    out = []
    tmp = tempfile.mkdtemp()
    try:
        s = os.path.join(tmp, "forewarnd")
        subprocess.run(["strip", "-o", s, os.path.join(build, "forewarnd")],
                       check=True)
        out.append(("forewarnd, stripped binary", os.path.getsize(s) / 1024))
        subprocess.run(["xz", "-k", "-9", s], check=True)
        out.append(("forewarnd, stripped binary xz-compressed (≈ what a "
                    "package carries)", os.path.getsize(s + ".xz") / 1024))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    d = build + "-deb"
    debs = sorted(f for f in os.listdir(d) if f.startswith("forewarn_") and
                  f.endswith(".deb")) if os.path.isdir(d) else []
    for f in debs:
        path = os.path.join(d, f)
        out.append(("package %s (make deb)" % f, os.path.getsize(path) / 1024))
        r = subprocess.run(["dpkg-deb", "-f", path, "Installed-Size"],
                           capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.strip().isdigit():
            out.append(("Debian package forewarn, installed",
                        int(r.stdout.strip())))
    for path in ("/usr/sbin/collectd", "/usr/bin/prometheus-node-exporter"):
        if os.path.exists(path):
            out.append((path, os.path.getsize(path) / 1024))
    plugins = sum(os.path.getsize("/usr/lib/collectd/%s.so" % p)
                  for p in COLLECTD_PLUGINS
                  if os.path.exists("/usr/lib/collectd/%s.so" % p))
    if plugins:
        out.append(("collectd's 6 plugins used here", plugins / 1024))
    for pkg in ("collectd-core", "prometheus-node-exporter"):
        r = subprocess.run(["dpkg-query", "-W", "-f=${Installed-Size}", pkg],
                           capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.strip().isdigit():
            out.append(("Debian package %s, installed" % pkg,
                        int(r.stdout.strip())))
    return out


def main():
    build = os.path.abspath(sys.argv[1])
    results = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here,
                                                                  "results")
    tmp = tempfile.mkdtemp()
    os.chmod(tmp, 0o755)        # the state dir is reached as user forewarn
    try:
        pwd.getpwnam("forewarn")
        mode = "as user forewarn with its root helper"
    except KeyError:
        mode = "as root: no user forewarn here"
    daemons = [("forewarnd (every built collector, defaults; %s)" % mode,
                [os.path.join(build, "forewarnd"), "-c", "/dev/null",
                 "--state-dir", os.path.join(tmp, "state")])]
    if shutil.which("collectd"):
        conf = os.path.join(tmp, "collectd.conf")
        with open(conf, "w") as f:
            f.write('BaseDir "%s"\nPIDFile "%s/collectd.pid"\n' % (tmp, tmp))
            f.write("".join("LoadPlugin %s\n" % p for p in COLLECTD_PLUGINS))
        daemons.append(("collectd (%s, 10 s)" % " ".join(COLLECTD_PLUGINS),
                        ["collectd", "-f", "-C", conf]))
    if shutil.which("prometheus-node-exporter"):
        daemons.append(("node_exporter (defaults, scraped every %d s)"
                        % SCRAPE_S, ["prometheus-node-exporter",
                                     "--web.listen-address", NE]))
    procs = [subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL,
                              start_new_session=True)
             for _, argv in daemons]
    stop = threading.Event()
    threading.Thread(target=scraper, args=(stop,), daemon=True).start()
    try:
        time.sleep(WARMUP)
        before = [activity(p.pid) for p in procs]
        neighbours = Neighbours()
        time.sleep(WINDOW)
        after = [activity(p.pid) for p in procs]
        events = neighbours.done()
        mem = [memory(p.pid) for p in procs]
    finally:
        stop.set()
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            p.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    rows = []
    for (name, _), b, a, m in zip(daemons, before, after, mem):
        cpu_h = (a[0] - b[0]) / 1e9 * 3600 / WINDOW
        wake = (a[1] - b[1]) * 60 / WINDOW
        rows.append((name, m, cpu_h, wake))
    return report(results, rows, sizes(build), events)


def report(results, rows, size_rows, events):
    fw = rows[0]

    def ratio(a, b):
        return "%.2f" % (a / b) if b else "n/a"
    lines = ["# Idle footprint, %s" % benchlib.today(), "",
             "%s. The three daemons at once, idle machine; %d s warm-up, "
             "then a %d s window. Memory in KiB with children at the end; "
             "CPU per hour scaled from the window (schedstat); wake-ups = "
             "voluntary context switches per minute, every thread."
             % (benchlib.machine(), WARMUP, WINDOW), "",
             "| daemon | RSS | PSS | USS | CPU s/hour | wake-ups/min | "
             "forewarnd ÷ it (RSS, PSS, CPU, wake-ups) |",
             "|---|---|---|---|---|---|---|"]
    for name, (rss, pss, uss), cpu_h, wake in rows:
        lines.append("| %s | %d | %d | %d | %.2f | %.1f | %s, %s, %s, %s |"
                     % (name, rss, pss, uss, cpu_h, wake,
                        ratio(fw[1][0], rss), ratio(fw[1][1], pss),
                        ratio(fw[2], cpu_h), ratio(fw[3], wake)))
    lines += ["", "In the window the machine made %d rtnetlink link and "
              "address notifications and %s kernel log records: forewarnd "
              "is woken by those (its net and kmsg collectors), collectd and "
              "node_exporter only poll. On a machine shared with other work "
              "(network namespaces, veths) this moves forewarnd's idle "
              "figures." % (events[0], "?" if events[1] is None
                            else events[1])]
    lines += ["", "Goal (issue 10): below 4 MiB RSS — %s (%.1f MiB); the "
              "lowest CPU of all — %s." % (
                  "met" if fw[1][0] < 4096 else "not met", fw[1][0] / 1024,
                  "met" if all(fw[2] <= r[2] for r in rows[1:]) else
                  "not met"), "",
              "| size | KiB |", "|---|---|"]
    lines += ["| %s | %d |" % (what, kib) for what, kib in size_rows]
    text = "\n".join(lines) + "\n"
    print(text)
    summary = []
    for name, m, cpu_h, wake in rows[1:]:
        ref = name.split()[0]
        summary += [
            ("idle RSS, every collector on", "%.1f MiB" % (fw[1][0] / 1024),
             "%.1f MiB (%s)" % (m[0] / 1024, ref),
             fw[1][0] / m[0] if m[0] else None),
            ("idle PSS", "%.1f MiB" % (fw[1][1] / 1024),
             "%.1f MiB (%s)" % (m[1] / 1024, ref),
             fw[1][1] / m[1] if m[1] else None),
            ("idle USS (private pages)", "%.1f MiB" % (fw[1][2] / 1024),
             "%.1f MiB (%s)" % (m[2] / 1024, ref),
             fw[1][2] / m[2] if m[2] else None),
            ("idle CPU per hour", "%.2f s" % fw[2],
             "%.2f s (%s)" % (cpu_h, ref), fw[2] / cpu_h if cpu_h else None),
            ("wake-ups per minute", "%.1f" % fw[3], "%.1f (%s)" % (wake, ref),
             fw[3] / wake if wake else None)]
    sz = dict(size_rows)
    mine = sz.get("Debian package forewarn, installed")
    for pkg, ref in (("collectd-core", "collectd"),
                     ("prometheus-node-exporter", "node_exporter")):
        theirs = sz.get("Debian package %s, installed" % pkg)
        if mine and theirs:
            summary.append(("package, installed size", "%d KiB" % mine,
                            "%d KiB (%s)" % (theirs, pkg), mine / theirs))
    if "/usr/bin/prometheus-node-exporter" in sz:
        summary.append(("binary size (stripped)", "%d KiB" % sz[
            "forewarnd, stripped binary"], "%d KiB (node_exporter)" % sz[
                "/usr/bin/prometheus-node-exporter"], sz[
                    "forewarnd, stripped binary"] / sz[
                        "/usr/bin/prometheus-node-exporter"]))
    benchlib.write(results, "footprint", text, summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
