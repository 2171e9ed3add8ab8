#!/usr/bin/env python3
"""Carrier loss to alert, and the cost per interface, in network namespaces.

(1) Detection latency.  A veth pair va/vb in a fresh namespace; forewarnd
(the net collector only, its poll at 1 h, so only notifications wake it)
runs inside, with node_exporter (scraped every SCRAPE_S, its carrier from
sysfs) and collectd's netlink plugin (Interval 1 s) beside it.  Each round
downs vb with an rtnetlink request of our own, stamped just before it is
sent (CLOCK_REALTIME; the kernel drops va's carrier within that request and
notifies through linkwatch, so the figure includes the kernel's own part),
waits for the notification on a socket of our own, brings vb back.
- forewarnd: the end of the millisecond of its event's `time` (stamped
  when the event is built, before the outbox commit) minus the stamp, an
  upper bound; and the arrival of its line from the stdout sink on a pipe
  (after the outbox commit with its fsync, and the delivery);
- node_exporter: the first scrape that shows node_network_carrier 0 minus
  the stamp (bounded by the scrape interval; Prometheus' default is 15 s);
- collectd netlink: which metrics it writes (it dumps counters each
  Interval and has no link-state value at all).

(2) Cost per interface.  500 veth pairs (1,000 interfaces) against 2, under
callgrind on the daemon, its counters dumped after the first poll and after
the second: instructions of a poll (net_resync: the RTM_GETLINK dump, the
ethtool LINKMODES dump, the report), of parsing the dump, and of the core's
commit of the report (health, store), per interface; and the daemon's RSS
after its first poll.

    bench/netlink.py BUILD_DIR [RESULTS_DIR]   (root; makes namespaces)
"""
import datetime
import json
import os
import re
import shutil
import signal
import socket
import statistics
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

ROUNDS = 60
SCRAPE_S = 1.0
NE_ROUNDS = 8
PAIRS = 500
CONF = """[agent]
host = bench
user = root
flap_changes = 0
[host]
enabled = no
[disks]
enabled = no
[mdraid]
enabled = no
[hwraid]
enabled = no
[kmsg]
enabled = no
[net]
interval = 1h
flap_window = 1s
flap_settle = 100ms
"""


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, **kw)


def netns(name):
    subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)
    sh("ip", "netns", "add", name)
    sh("ip", "-n", name, "link", "set", "lo", "up")


def stamp(text):
    t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def events(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
    return out


def wait_log(path, text, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if text in open(path).read():
                return True
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    return False


# ---- (1) latency, run inside the namespace ----

class Listener:
    """RTNLGRP_LINK on a socket of our own: the kernel's notification."""

    def __init__(self, ifname):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        self.s.bind((0, 1))  # RTMGRP_LINK
        self.s.settimeout(5)
        self.ifindex = socket.if_nametoindex(ifname)

    def carrier_lost(self):
        """Wait for va's RTM_NEWLINK without carrier; its arrival time."""
        while True:
            d = self.s.recv(65536)
            t = time.time()
            off = 0
            while off + 32 <= len(d):
                ln, typ = struct.unpack_from("=LH", d, off)
                idx, flags = struct.unpack_from("=iI", d, off + 20)
                if typ == 16 and idx == self.ifindex and \
                        self.carrier(d[off:off + ln]) == 0:
                    return t
                off += (ln + 3) & ~3

    @staticmethod
    def carrier(msg):
        off = 32
        while off + 4 <= len(msg):
            ln, typ = struct.unpack_from("=HH", msg, off)
            if ln < 4:
                break
            if typ == 33:  # IFLA_CARRIER
                return msg[off + 4]
            off += (ln + 3) & ~3
        return None


class Linker:
    """Links up and down through our own rtnetlink request, so the moment
    before the request is the start (no ip(8) process start-up)."""

    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        self.s.bind((0, 0))
        self.seq = 0

    def set(self, ifname, up):
        self.seq += 1
        idx = socket.if_nametoindex(ifname)
        msg = struct.pack("=LHHLL", 32, 16, 0x5, self.seq, 0) + \
            struct.pack("=BxHiII", 0, 0, idx, 1 if up else 0, 1)
        t = time.time()
        self.s.send(msg)
        self.s.recv(4096)  # the ACK
        return t


def scrape_carrier(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port,
                                    timeout=2) as r:
            for line in r.read().decode().splitlines():
                if line.startswith('node_network_carrier{device="va"}'):
                    return float(line.split()[-1])
    except OSError:
        return None
    return None


def inner_latency(build, work):
    fw = os.path.join(build, "forewarnd")
    conf = os.path.join(work, "fw.conf")
    with open(conf, "w") as f:
        f.write(CONF)
    sh("ip", "link", "add", "va", "type", "veth", "peer", "name", "vb")
    sh("ip", "link", "set", "va", "up")
    sh("ip", "link", "set", "vb", "up")
    time.sleep(0.2)
    evp = os.path.join(work, "events.jsonl")
    log = os.path.join(work, "fw.log")
    d = subprocess.Popen([fw, "-c", conf, "--state-dir",
                          os.path.join(work, "state"), "-vv"],
                         stdout=subprocess.PIPE, stderr=open(log, "w"))
    arrived = []	# (time the stdout sink's line arrived, event)

    def reader():
        with open(evp, "w") as f:
            for line in d.stdout:
                arrived.append((time.time(), json.loads(line)))
                f.write(line.decode())
    threading.Thread(target=reader, daemon=True).start()
    wait_log(log, "collector 'net' polled")
    ne = subprocess.Popen(["prometheus-node-exporter",
                           "--web.listen-address=127.0.0.1:19100",
                           "--collector.disable-defaults",
                           "--collector.netclass"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lst = Listener("va")
    ln = Linker()
    fw_lat, fw_out = [], []
    for _ in range(ROUNDS):
        n = len([e for _, e in arrived if e["check"] == "net.link_down"])
        t = ln.set("vb", False)
        lst.carrier_lost()
        end = time.time() + 5
        while time.time() < end:
            got = [(a, e) for a, e in list(arrived)
                   if e["check"] == "net.link_down"]
            if len(got) > n:
                a, e = got[n]
                # The time is truncated to the ms: its end is the bound.
                fw_lat.append((stamp(e["time"]) + 0.001 - t) * 1000)
                fw_out.append((a - t) * 1000)
                break
            time.sleep(0.002)
        ln.set("vb", True)
        time.sleep(0.5)	# fewer than 3 losses a flap_window: no flapping
    # node_exporter: scraped every SCRAPE_S from a random phase.
    ne_lat = []
    time.sleep(1)
    for i in range(NE_ROUNDS):
        time.sleep(SCRAPE_S * (i + 0.5) / NE_ROUNDS)
        next_scrape = time.time()
        t = ln.set("vb", False)
        lst.carrier_lost()
        while True:
            next_scrape += SCRAPE_S
            time.sleep(max(0, next_scrape - time.time()))
            if scrape_carrier(19100) == 0:
                ne_lat.append((time.time() - t) * 1000)
                break
            if time.time() - t > 5:
                break
        ln.set("vb", True)
        time.sleep(0.3)
    ne.terminate()
    ne.wait()
    d.send_signal(signal.SIGTERM)
    d.wait()
    return fw_lat, fw_out, ne_lat, collectd_metrics(work)


def collectd_metrics(work):
    """What collectd's netlink plugin writes about va in 3 s."""
    if shutil.which("collectd") is None:
        return None
    csv = os.path.join(work, "csv")
    conf = os.path.join(work, "collectd.conf")
    with open(conf, "w") as f:
        f.write('Interval 1\nHostname "bench"\nFQDNLookup false\n'
                'PIDFile "%s/collectd.pid"\n'
                'LoadPlugin netlink\nLoadPlugin csv\n'
                '<Plugin netlink>\n  VerboseInterface "va"\n</Plugin>\n'
                '<Plugin csv>\n  DataDir "%s"\n</Plugin>\n' % (work, csv))
    p = subprocess.Popen(["collectd", "-f", "-C", conf],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3.5)
    p.terminate()
    p.wait()
    names = set()
    for root, _, files in os.walk(csv):
        for f in files:
            names.add(re.sub(r"-\d{4}-\d\d-\d\d$", "", f))
    return sorted(names)


# ---- (2) cost per interface ----

def annotate(path):
    ann = subprocess.run(["callgrind_annotate", "--inclusive=yes",
                          "--threshold=100", path], capture_output=True,
                         text=True).stdout
    cost = {}
    for line in ann.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+\S*:(\w+)\b", line)
        if m and m.group(2) not in cost:
            cost[m.group(2)] = int(m.group(1).replace(",", ""))
    return cost


def callgrind(build, work, ns, tag):
    """The daemon under callgrind, its counters dumped after the first
    poll (start-up, first sight of every link) and after the second (one
    steady poll: what every interval costs)."""
    fw = os.path.join(build, "forewarnd")
    conf = os.path.join(work, "cg.conf")
    with open(conf, "w") as f:
        f.write(CONF.replace("interval = 1h", "interval = 4s"))
    out = os.path.join(work, "cg.%s" % tag)
    log = os.path.join(work, "cg-%s.log" % tag)
    p = subprocess.Popen(["ip", "netns", "exec", ns, "valgrind",
                          "--tool=callgrind", "--callgrind-out-file=" + out,
                          fw, "-c", conf, "--state-dir",
                          os.path.join(work, "st-" + tag), "-vv"],
                         stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    polls = []
    for n in (1, 2):
        end = time.time() + 120
        while time.time() < end and open(log).read().count(
                "collector 'net' polled") < n:
            time.sleep(0.1)
        before = set(os.listdir(work))
        subprocess.run(["callgrind_control", "-d", str(p.pid)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        dumps = sorted(f for f in set(os.listdir(work)) - before
                       if f.startswith("cg.%s." % tag))
        polls.append(annotate(os.path.join(work, dumps[-1])) if dumps
                     else {})
    p.send_signal(signal.SIGTERM)
    p.wait()
    return polls


def rss_after_poll(build, work, ns, tag):
    fw = os.path.join(build, "forewarnd")
    log = os.path.join(work, "rss-%s.log" % tag)
    p = subprocess.Popen(["ip", "netns", "exec", ns, fw, "-c",
                          os.path.join(work, "fw.conf"), "--state-dir",
                          os.path.join(work, "rs-" + tag), "-vv"],
                         stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    wait_log(log, "collector 'net' polled", 30)
    time.sleep(0.5)
    rss = None
    for pid in subprocess.run(["pgrep", "-P", str(p.pid)],
                              capture_output=True, text=True).stdout.split() \
            + [str(p.pid)]:
        try:
            with open("/proc/%s/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:") and "forewarnd" in \
                            open("/proc/%s/comm" % pid).read():
                        rss = int(line.split()[1])
        except OSError:
            pass
    p.send_signal(signal.SIGTERM)
    p.wait()
    return rss


def cost(build, work):
    with open(os.path.join(work, "fw.conf"), "w") as f:
        f.write(CONF)
    res = {}
    for tag, pairs in (("2", 1), ("1000", PAIRS)):
        ns = "fwbench-%d-%s" % (os.getpid(), tag)
        netns(ns)
        batch = os.path.join(work, "batch")
        with open(batch, "w") as f:
            for i in range(pairs):
                f.write("link add a%d type veth peer name b%d\n" % (i, i))
                f.write("link set a%d up\nlink set b%d up\n" % (i, i))
        try:
            sh("ip", "-n", ns, "-batch", batch)
            time.sleep(1)
            res[tag] = (callgrind(build, work, ns, tag),
                        rss_after_poll(build, work, ns, tag))
        finally:
            subprocess.run(["ip", "netns", "del", ns])
    return res


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--inner":
        lat = inner_latency(sys.argv[2], sys.argv[3])
        with open(os.path.join(sys.argv[3], "lat.json"), "w") as f:
            json.dump(lat, f)
        return 0
    build = os.path.abspath(sys.argv[1])
    results = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here,
                                                                  "results")
    if os.geteuid() != 0:
        print("netlink bench: needs root (network namespaces); skipped")
        return 0
    work = tempfile.mkdtemp(prefix="fwbench-net-")
    ns = "fwbench-%d" % os.getpid()
    netns(ns)
    try:
        sh("ip", "netns", "exec", ns, sys.executable, __file__, "--inner",
           build, work)
    finally:
        subprocess.run(["ip", "netns", "del", ns])
    with open(os.path.join(work, "lat.json")) as f:
        fw_lat, fw_out, ne_lat, cd = json.load(f)
    res = cost(build, work)
    shutil.rmtree(work, ignore_errors=True)

    lines = ["# netlink bench, %s" % datetime.date.today().isoformat(), "",
             "## Carrier loss on veth: kernel notification to alert", "",
             "| tool | rounds | median ms | p99 ms | max ms |",
             "|---|---|---|---|---|"]
    if fw_lat:
        lines.append("| forewarnd, the event built (its `time`, ms "
                     "resolution, upper bound) | %d | %.1f "
                     "| %.1f | %.1f |" % (len(fw_lat),
                                          statistics.median(fw_lat),
                                          pct(fw_lat, 99), max(fw_lat)))
    if fw_out:
        lines.append("| forewarnd, its line out of the stdout sink (after "
                     "the outbox commit) | %d | %.1f | %.1f | %.1f |" %
                     (len(fw_out), statistics.median(fw_out),
                      pct(fw_out, 99), max(fw_out)))
    if ne_lat:
        lines.append("| node_exporter, scraped every %.0f s | %d | %.0f | "
                     "%.0f | %.0f |" % (SCRAPE_S, len(ne_lat),
                                        statistics.median(ne_lat),
                                        pct(ne_lat, 99), max(ne_lat)))
    lines += ["", "collectd netlink plugin (Interval 1 s) writes for va: %s "
              "— no link state, so a carrier loss is never seen."
              % (", ".join(cd) if cd else "nothing"), "",
              "## Cost per interface (callgrind, instructions)", "",
              "| part | 2 interfaces | 1,000 interfaces | per interface |",
              "|---|---|---|---|"]
    for k, title in ((0, "start-up and the first poll (every link seen "
                      "for the first time: its baselines written)"),
                     (1, "one steady poll (every interval)")):
        small, big = res["2"][0][k], res["1000"][0][k]
        lines.append("| **%s** | | | |" % title)
        for fn, what in (("net_resync", "dump, ethtool dump, report"),
                         ("dump_link_cb", "parsing the dump's messages"),
                         ("core_commit", "the core's commit (health, "
                          "store)")):
            a, b = small.get(fn, 0), big.get(fn, 0)
            lines.append("| %s (`%s`) | %d | %d | %.0f |" %
                         (what, fn, a, b, (b - a) / (2 * PAIRS - 2)))
    lines += ["", "RSS after the first poll: %s KiB with 2 interfaces, %s KiB "
              "with 1,000." % (res["2"][1], res["1000"][1])]
    text = "\n".join(lines) + "\n"
    print(text)
    summary = []
    if fw_out and ne_lat:
        summary.append(("carrier loss → alert, median (p99)",
                        "%.1f ms (%.1f)" % (statistics.median(fw_out),
                                            pct(fw_out, 99)),
                        "%.0f ms (%.0f) (node_exporter scraped every %.0f s)"
                        % (statistics.median(ne_lat), pct(ne_lat, 99),
                           SCRAPE_S),
                        statistics.median(fw_out) / statistics.median(ne_lat)))
    if cd is not None:
        summary.append(("carrier loss seen by collectd's netlink plugin", "",
                        "never (no link state)", None))
    small, big = res["2"][0][1], res["1000"][0][1]
    per = sum(big.get(f, 0) - small.get(f, 0) for f in
              ("net_resync", "core_commit")) / (2 * PAIRS - 2)
    summary.append(("1,000 interfaces: instructions per interface per poll",
                    "%.0f" % per, "", None))
    summary.append(("1,000 interfaces: RSS", "%.1f MiB" % (
        (res["1000"][1] or 0) / 1024), "", None))
    benchlib.write(results, "netlink", text, summary)
    return 0


sys.exit(main())
