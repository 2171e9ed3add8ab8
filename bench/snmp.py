#!/usr/bin/env python3
"""One full SNMP poll cycle of many routers, forewarnd beside Prometheus'
snmp_exporter scraping the same targets in the same run.

The routers are net-snmp snmpd instances, one per router, in a network
namespace of the bench's own with 24 veth pairs up: every router answers
for the same 48 ports (and lo) from the kernel, with its own UDP port on
127.0.0.1, community (r001, r002, ...) and sysName.  snmpd answers a walk
of a router's ifTable and ifXTable in about 10 ms; snmpsim (Python) needs
about 30 times as long, which would make the simulator the figure (its
rate is measured and printed too: see bench/README.md).

For 50, 100 and 200 routers, REPEAT interleaved rounds of:
- forewarnd: `forewarnd --once` with only [snmp:rNNN] sections (every other
  collector off): start-up, one poll of every router (GETBULK of the
  columns the collector reads), judgement, store, report.  Wall time, CPU
  (user + system, from wait4) and peak RSS; also with no router at all,
  so the start-up can be subtracted;
- snmp_exporter: one scrape of every router at once (as Prometheus starts
  its scrapes), with a module walking the same columns; wall time from the
  first request to the last answer, and the exporter's CPU (schedstat of
  all its threads, ns) over the cycle.  The exporter is a long-running
  daemon: its start-up is not in its figure;
- the snmpd instances' CPU over the same cycle, to show whether the
  simulated routers were the limit.
Medians of REPEAT.  Under callgrind: forewarnd --once with 200 routers and
with none, the instructions per router.

    bench/snmp.py BUILD_DIR [RESULTS_DIR]   (root; makes a namespace)
"""
import concurrent.futures
import datetime
import json
import os
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
import benchlib  # noqa: E402

SCALES = tuple(int(x) for x in os.environ.get("FW_SNMP_SCALES",
                                              "50,100,200").split(","))
REPEAT = int(os.environ.get("FW_SNMP_REPEAT", "3"))
PAIRS = 24                      # 48 ports, and lo
BASE_PORT = 20000
EXPORTER = "127.0.0.1:19116"
SYSTEM = "1.3.6.1.2.1.1."
IFT = "1.3.6.1.2.1.2.2.1."
IFX = "1.3.6.1.2.1.31.1.1.1."
# What the collector reads (collectors/snmp_parse.c): sysDescr, sysUpTime,
# sysName; ifTable ifDescr, ifType, ifAdminStatus, ifOperStatus,
# ifLastChange, ifInDiscards, ifInErrors, ifOutErrors; ifXTable ifName,
# ifHCInOctets, ifHCInUcastPkts, ifHCOutOctets, ifHCOutUcastPkts,
# ifHighSpeed, ifAlias, ifCounterDiscontinuityTime; and the BGP peer,
# entity sensor and entPhysicalName columns, which these routers do not
# have (one GETBULK each, answered past the end of the table).
GETS = [(SYSTEM + "1.0", "sysDescr", "DisplayString"),
        (SYSTEM + "3.0", "sysUpTime", "gauge"),
        (SYSTEM + "5.0", "sysName", "DisplayString")]
IF_INDEX = ("ifIndex", "gauge")
WALKS = [(IFT + "2", "ifDescr", "DisplayString", IF_INDEX),
         (IFT + "3", "ifType", "gauge", IF_INDEX),
         (IFT + "7", "ifAdminStatus", "gauge", IF_INDEX),
         (IFT + "8", "ifOperStatus", "gauge", IF_INDEX),
         (IFT + "9", "ifLastChange", "gauge", IF_INDEX),
         (IFT + "13", "ifInDiscards", "counter", IF_INDEX),
         (IFT + "14", "ifInErrors", "counter", IF_INDEX),
         (IFT + "20", "ifOutErrors", "counter", IF_INDEX),
         (IFX + "6", "ifHCInOctets", "counter", IF_INDEX),
         (IFX + "7", "ifHCInUcastPkts", "counter", IF_INDEX),
         (IFX + "10", "ifHCOutOctets", "counter", IF_INDEX),
         (IFX + "11", "ifHCOutUcastPkts", "counter", IF_INDEX),
         (IFX + "15", "ifHighSpeed", "gauge", IF_INDEX),
         (IFX + "19", "ifCounterDiscontinuityTime", "gauge", IF_INDEX)]
BGP = "1.3.6.1.2.1.15.3.1."
SENS = "1.3.6.1.2.1.99.1.1.1."
WALKS += [(BGP + str(c), "bgpPeerCol%d" % c, "gauge",
           ("bgpPeerRemoteAddr", "InetAddressIPv4"))
          for c in (2, 3, 9, 14, 15, 16)]
WALKS += [(SENS + str(c), "entPhySensorCol%d" % c, "gauge",
           ("entPhysicalIndex", "gauge")) for c in (1, 2, 3, 4, 5)]
WALKS += [("1.3.6.1.2.1.47.1.1.1.1.7", "entPhysicalName", "DisplayString",
           ("entPhysicalIndex", "gauge"))]
LOOKUPS = [(IFX + "1", "ifName"), (IFX + "18", "ifAlias")]
OFF = ("[agent]\nhost = bench\nuser = root\nflap_changes = 0\n[host]\nenabled = no\n"
       "[disks]\nenabled = no\n[mdraid]\nenabled = no\n[hwraid]\n"
       "enabled = no\n[kmsg]\nenabled = no\n[net]\nenabled = no\n"
       "[sensors]\nenabled = no\n")


def name(i):
    return "r%03d" % i


# ---- the routers ----

def namespace(ns):
    subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
    benchlib.sh("ip", "netns", "add", ns)
    cmds = ["link set lo up"]
    for i in range(PAIRS):
        cmds.append("link add p%d type veth peer name p%d" % (2 * i + 1,
                                                          2 * i + 2))
    cmds += ["link set p%d up" % (i + 1) for i in range(2 * PAIRS)]
    subprocess.run(["ip", "-n", ns, "-batch", "-"], check=True,
                   input="\n".join(cmds) + "\n", text=True)
    # Everything this process starts from now on is in the namespace.
    benchlib.enter_netns(ns)


def start_routers(work, n):
    env = dict(os.environ, MIBS="", MIBDIRS="/nonexistent")
    pids = []
    for i in range(1, n + 1):
        d = os.path.join(work, "snmpd", name(i))
        os.makedirs(os.path.join(d, "pers"))
        with open(os.path.join(d, "agent.conf"), "w") as f:
            f.write("agentaddress udp:127.0.0.1:%d\nrocommunity %s "
                    "127.0.0.1\nsysname %s\nsysdescr forewarn bench router "
                    "%s\nsysservices 78\ndontLogTCPWrappersConnects yes\n"
                    % (BASE_PORT + i, name(i), name(i), name(i)))
        env["SNMP_PERSISTENT_DIR"] = os.path.join(d, "pers")
        subprocess.run(["snmpd", "-C", "-c", os.path.join(d, "agent.conf"),
                        "-Lf", "/dev/null", "-p", os.path.join(d, "pid"),
                        "-I", "ifTable,ifXTable,system_mib,vacm_conf,"
                        "snmpv3mibs,vacm_vars"], env=env, check=True)
    for i in range(1, n + 1):
        pidfile = os.path.join(work, "snmpd", name(i), "pid")
        end = time.time() + 20
        while time.time() < end and not os.path.exists(pidfile):
            time.sleep(0.02)
        with open(pidfile) as f:
            pids.append(int(f.read()))
    # Every router answers before anything is timed.
    for i in range(1, n + 1):
        benchlib.sh("snmpget", "-v2c", "-c", name(i), "-t", "1", "-r", "5",
                    "127.0.0.1:%d" % (BASE_PORT + i), SYSTEM + "5.0",
                    stdout=subprocess.DEVNULL)
    return pids


# ---- forewarnd ----

def fw_conf(path, n, timeout="2s"):
    with open(path, "w") as f:
        f.write(OFF)
        for i in range(1, n + 1):
            f.write("[snmp:%s]\naddress = 127.0.0.1:%d\nversion = 2c\n"
                    "community = %s\ninterval = 30s\ntimeout = %s\n"
                    "retries = 1\n" % (name(i), BASE_PORT + i, name(i),
                                       timeout))


def fw_once(build, work, n, tag):
    """Wall s, CPU s, peak RSS KiB, router entities seen, link entities."""
    conf = os.path.join(work, "fw-%d.conf" % n)
    fw_conf(conf, n)
    state = os.path.join(work, "state-" + tag)
    out = os.path.join(work, "once-%s.json" % tag)
    t0 = time.monotonic()
    with open(out, "w") as o:
        p = subprocess.Popen([os.path.join(build, "forewarnd"), "--once",
                              "-c", conf, "--format", "json",
                              "--state-dir", state], stdout=o,
                             stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    shutil.rmtree(state, ignore_errors=True)
    kinds = {}
    try:
        with open(out) as f:
            for e in json.load(f).get("entities", []):
                kinds[e.get("kind")] = kinds.get(e.get("kind"), 0) + 1
    except (ValueError, OSError):
        pass
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, kinds


def fw_instructions(build, work, n):
    conf = os.path.join(work, "cg-%d.conf" % n)
    fw_conf(conf, n, timeout="20s")
    out = os.path.join(work, "cg.%d" % n)
    subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file="
                    + out, os.path.join(build, "forewarnd"), "--once", "-c",
                    conf, "--format", "json", "--state-dir",
                    os.path.join(work, "cgstate-%d" % n)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return benchlib.callgrind_total(out)


# ---- snmp_exporter ----

def exporter_yaml(path, n):
    metrics = []
    for oid, metric, kind in GETS:
        metrics.append("  - name: %s\n    oid: %s\n    type: %s\n"
                       % (metric, oid[:-2], kind))
    for oid, metric, kind, (index, itype) in WALKS:
        m = ("  - name: %s\n    oid: %s\n    type: %s\n    indexes:\n"
             "    - labelname: %s\n      type: %s\n"
             % (metric, oid, kind, index, itype))
        if index == "ifIndex":
            m += "    lookups:\n"
            for loid, lname in LOOKUPS:
                m += ("    - labels: [ifIndex]\n      labelname: %s\n    "
                      "  oid: %s\n      type: DisplayString\n"
                      % (lname, loid))
        metrics.append(m)
    body = ("  walk:\n" + "".join("  - %s\n" % w[0] for w in WALKS) +
            "".join("  - %s\n" % o for o, _ in LOOKUPS) +
            "  get:\n" + "".join("  - %s\n" % o for o, _, _ in GETS) +
            "  metrics:\n" + "".join(metrics) +
            "  version: 2\n  max_repetitions: 25\n  retries: 1\n"
            "  timeout: 2s\n")
    with open(path, "w") as f:
        f.write("# Written by bench/snmp.py: numeric OIDs, by hand (the "
                "generator needs MIB files).\n")
        for i in range(1, n + 1):
            f.write("%s:\n%s  auth:\n    community: %s\n"
                    % (name(i), body, name(i)))


def scrape(i):
    url = ("http://%s/snmp?target=127.0.0.1:%d&module=%s"
           % (EXPORTER, BASE_PORT + i, name(i)))
    with urllib.request.urlopen(url, timeout=60) as r:
        text = r.read().decode()
    return len(re.findall(r"^ifOperStatus\{", text, re.M))


def exporter_cycle(pid, n, pool):
    c0 = benchlib.cpu_ns([pid])
    t0 = time.monotonic()
    links = list(pool.map(scrape, range(1, n + 1)))
    wall = time.monotonic() - t0
    return wall, (benchlib.cpu_ns([pid]) - c0) / 1e9, sum(links)


def vm_hwm(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def snmpsim_rate(work):
    """Varbinds per second snmpsim answers for one router's walk."""
    if shutil.which("snmpsimd") is None:
        return None
    data = os.path.join(work, "sim")
    os.makedirs(os.path.join(data, "cache"))
    rec = []
    for c in (7, 8, 9, 13, 14, 20):
        rec += [("%s%d.%d" % (IFT, c, i), "2" if c < 10 else "65", "1")
                for i in range(1, 49)]
    for c in (1, 6, 10, 15, 18, 19):
        rec += [("%s%d.%d" % (IFX, c, i), {1: "4", 18: "4", 6: "70",
                                            10: "70", 15: "66"}.get(c, "67"),
                 "x" if c in (1, 18) else "1") for i in range(1, 49)]
    rec.sort(key=lambda r: tuple(int(x) for x in r[0].split(".")))
    with open(os.path.join(data, "r001.snmprec"), "w") as f:
        f.writelines("%s|%s|%s\n" % r for r in rec)
    os.chmod(work, 0o755)
    subprocess.run(["chmod", "-R", "a+rwX", data])
    p = subprocess.Popen(["snmpsimd", "--data-dir=" + data, "--cache-dir="
                          + os.path.join(data, "cache"),
                          "--agent-udpv4-endpoint=127.0.0.1:%d" % BASE_PORT,
                          "--process-user=nobody", "--process-group=nogroup",
                          "--logging-method=null"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if subprocess.run(["snmpget", "-v2c", "-c", "r001", "-t", "1",
                               "-r", "0", "127.0.0.1:%d" % BASE_PORT,
                               IFT + "8.1"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0:
                break
            time.sleep(0.3)
        t0 = time.monotonic()
        out = subprocess.run(["snmpbulkwalk", "-v2c", "-c", "r001", "-Cr25",
                              "127.0.0.1:%d" % BASE_PORT, "1.3.6.1.2.1"],
                             capture_output=True, text=True).stdout
        wall = time.monotonic() - t0
        return len(out.splitlines()) / wall
    finally:
        p.terminate()
        p.wait()


def snmpd_rate(n):
    t0 = time.monotonic()
    out = subprocess.run(["snmpbulkwalk", "-v2c", "-c", name(n), "-Cr25",
                          "127.0.0.1:%d" % (BASE_PORT + n), "1.3.6.1.2.1"],
                         capture_output=True, text=True).stdout
    return len(out.splitlines()) / (time.monotonic() - t0)


def med(xs):
    return statistics.median(xs) if xs else 0


def main():
    build = os.path.abspath(sys.argv[1])
    results = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here,
                                                                  "results")
    if os.geteuid() != 0:
        print("snmp bench: needs root (a network namespace); skipped")
        return 0
    for tool in ("snmpd", "snmpget", "prometheus-snmp-exporter"):
        if shutil.which(tool) is None:
            print("snmp bench: %s missing (make bench-deps); skipped" % tool)
            return 0
    work = tempfile.mkdtemp(prefix="fwbench-snmp-")
    # net-snmp's tools and library read (and write) their persistent
    # files here, not in /var/lib/snmp, which other runs share.
    os.makedirs(os.path.join(work, "persist"))
    os.environ.update(SNMP_PERSISTENT_DIR=os.path.join(work, "persist"),
                      MIBS="")
    ns = "fwbench-snmp-%d" % os.getpid()
    routers, exporter = [], None
    top = max(SCALES)
    try:
        namespace(ns)
        t0 = time.monotonic()
        routers = start_routers(work, top)
        startup = time.monotonic() - t0
        fw_conf(os.path.join(work, "probe.conf"), 1)
        fw_ok = subprocess.run([os.path.join(build, "forewarnd"),
                                "--check-config", "-c",
                                os.path.join(work, "probe.conf")],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL).returncode == 0
        yml = os.path.join(work, "snmp.yml")
        exporter_yaml(yml, top)
        exporter = subprocess.Popen(["prometheus-snmp-exporter",
                                     "--config.file=" + yml,
                                     "--web.listen-address=" + EXPORTER,
                                     "--log.level=warn"],
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        benchlib.wait_http("http://%s/metrics" % EXPORTER)
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=top)
        rows = {}
        if fw_ok:
            base = [fw_once(build, work, 0, "base-%d" % k)
                    for k in range(REPEAT)]
            rows[0] = {"fw": base}
        for n in SCALES:
            r = rows[n] = {"fw": [], "ex": [], "sim_fw": [], "sim_ex": []}
            exporter_cycle(exporter.pid, n, pool)       # its first contact
            for k in range(REPEAT):
                if fw_ok:
                    c = benchlib.cpu_ns(routers[:n])
                    r["fw"].append(fw_once(build, work, n, "%d-%d" % (n, k)))
                    r["sim_fw"].append((benchlib.cpu_ns(routers[:n]) - c) / 1e9)
                c = benchlib.cpu_ns(routers[:n])
                r["ex"].append(exporter_cycle(exporter.pid, n, pool))
                r["sim_ex"].append((benchlib.cpu_ns(routers[:n]) - c) / 1e9)
        ex_rss = vm_hwm(exporter.pid)
        ins = {}
        if fw_ok and shutil.which("valgrind"):
            ins = {n: fw_instructions(build, work, n)
                   for n in (0, SCALES[0])}
        rate_snmpd = snmpd_rate(1)
        pool.shutdown()
    finally:
        if exporter is not None:
            exporter.terminate()
            exporter.wait()
        for pid in routers:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        subprocess.run(["ip", "netns", "del", ns])
    rate_sim = snmpsim_rate(work)
    shutil.rmtree(work, ignore_errors=True)
    return report(results, rows, ins, ex_rss, startup, rate_snmpd, rate_sim,
                  fw_ok)


def report(results, rows, ins, ex_rss, startup, rate_snmpd, rate_sim, fw_ok):
    today = datetime.date.today().isoformat()
    lines = ["# SNMP poll cycle, %s" % today, "",
             "%s. Routers: one net-snmp snmpd each in a namespace of the "
             "bench's own, %d ports (veth) and lo, v2c on 127.0.0.1; "
             "%d of them started in %.1f s. Medians of %d interleaved "
             "rounds. forewarnd: `--once` (start-up included; the row with "
             "0 routers is the start-up alone), CPU from wait4. "
             "snmp_exporter 0.21 (Debian): all routers scraped at once, "
             "CPU of its threads over the cycle (schedstat); its start-up "
             "is not counted. Both GET the same 3 scalars and walk the same "
             "%d columns with GETBULK (25 repetitions)."
             % (benchlib.machine(), 2 * PAIRS, max(SCALES), startup,
                REPEAT, len(WALKS) + len(LOOKUPS))
             , "",
             "| routers | forewarnd wall s | forewarnd CPU s | forewarnd "
             "peak RSS KiB | snmp_exporter wall s | snmp_exporter CPU s | "
             "routers' CPU s (fw / exporter) | CPU ratio fw ÷ exporter "
             "(less start-up) | links seen (fw / exporter) |",
             "|---|---|---|---|---|---|---|---|---|"]
    summary = []
    base_cpu = med([r[1] for r in rows.get(0, {}).get("fw", [])])
    if 0 in rows:
        b = rows[0]["fw"]
        lines.append("| 0 | %.3f | %.3f | %d | | | | | |" % (
            med([r[0] for r in b]), base_cpu, max(r[2] for r in b)))
    for n in SCALES:
        r = rows[n]
        ex_wall = med([x[0] for x in r["ex"]])
        ex_cpu = med([x[1] for x in r["ex"]])
        ex_links = r["ex"][-1][2] if r["ex"] else 0
        if r["fw"]:
            fw_wall = med([x[0] for x in r["fw"]])
            fw_cpu = med([x[1] for x in r["fw"]])
            kinds = r["fw"][-1][3]
            links = ", ".join("%d %s" % (v, k) for k, v in sorted(
                kinds.items()))
            ratio = "%.2f (%.2f)" % (fw_cpu / ex_cpu, (fw_cpu - base_cpu) /
                                     ex_cpu) if ex_cpu else "n/a"
            lines.append("| %d | %.3f | %.3f | %d | %.3f | %.3f | %.3f / "
                         "%.3f | %s | %s / %d |" % (
                             n, fw_wall, fw_cpu, max(x[2] for x in r["fw"]),
                             ex_wall, ex_cpu, med(r["sim_fw"]),
                             med(r["sim_ex"]), ratio, links, ex_links))
            if n == max(SCALES):
                summary.append(("SNMP poll cycle, %d routers × %d ports: CPU"
                                % (n, 2 * PAIRS), "%.3f s" % fw_cpu,
                                "%.3f s (snmp_exporter)" % ex_cpu,
                                fw_cpu / ex_cpu if ex_cpu else None))
                summary.append(("SNMP poll cycle, %d routers: wall" % n,
                                "%.2f s" % fw_wall,
                                "%.2f s (snmp_exporter)" % ex_wall,
                                fw_wall / ex_wall if ex_wall else None))
                summary.append(("the routers' CPU during the cycle",
                                "%.2f s" % med(r["sim_fw"]),
                                "%.2f s (snmp_exporter's)" % med(r["sim_ex"]),
                                med(r["sim_fw"]) / med(r["sim_ex"])
                                if med(r["sim_ex"]) else None))
                summary.append(("peak RSS with %d routers" % n, "%.1f MiB"
                                % (max(x[2] for x in r["fw"]) / 1024),
                                "%.1f MiB (snmp_exporter)" % (ex_rss / 1024),
                                max(x[2] for x in r["fw"]) / ex_rss
                                if ex_rss else None))
        else:
            lines.append("| %d | | | | %.3f | %.3f | – / %.3f | | – / %d |"
                         % (n, ex_wall, ex_cpu, med(r["sim_ex"]), ex_links))
            if n == max(SCALES):
                summary.append(("SNMP poll cycle, %d routers × %d ports: CPU"
                                % (n, 2 * PAIRS), "(no snmp collector)",
                                "%.3f s (snmp_exporter)" % ex_cpu, None))
    lo, hi = SCALES[0], SCALES[-1]
    if rows[lo]["fw"] and rows[hi]["fw"] and hi > lo:
        fw_per = (med([x[1] for x in rows[hi]["fw"]]) -
                  med([x[1] for x in rows[lo]["fw"]])) / (hi - lo)
        ex_per = (med([x[1] for x in rows[hi]["ex"]]) -
                  med([x[1] for x in rows[lo]["ex"]])) / (hi - lo)
        summary.append(("CPU per router (%d → %d routers)" % (lo, hi),
                        "%.1f ms" % (fw_per * 1e3),
                        "%.1f ms (snmp_exporter)" % (ex_per * 1e3),
                        fw_per / ex_per if ex_per > 0 else None))
    lines += ["", "Cost per router (CPU, from the change between scales):",
              ""]
    for a, b in zip(SCALES, SCALES[1:]):
        parts = []
        if rows[a]["fw"] and rows[b]["fw"]:
            d = (med([x[1] for x in rows[b]["fw"]]) -
                 med([x[1] for x in rows[a]["fw"]])) / (b - a)
            parts.append("forewarnd %.2f ms" % (d * 1000))
        d = (med([x[1] for x in rows[b]["ex"]]) -
             med([x[1] for x in rows[a]["ex"]])) / (b - a)
        parts.append("snmp_exporter %.2f ms" % (d * 1000))
        lines.append("- %d → %d routers: %s per router" % (a, b,
                                                          ", ".join(parts)))
    if ins.get(0) and ins.get(SCALES[0]):
        per = (ins[SCALES[0]] - ins[0]) / SCALES[0]
        lines += ["", "Instructions (callgrind, forewarnd --once): %d with "
                  "no router, %d with %d: %d per router (%d per link)."
                  % (ins[0], ins[SCALES[0]], SCALES[0], per,
                     per / (2 * PAIRS))]
        summary.append(("SNMP, instructions per router (callgrind)",
                        "%d" % per, "", None))
    lines += ["", "snmp_exporter peak RSS: %d KiB. Simulators' answer rate "
              "for one router's walk: snmpd %.0f varbinds/s%s." % (
                  ex_rss, rate_snmpd, ", snmpsim %.0f varbinds/s"
                  % rate_sim if rate_sim else "")]
    if not fw_ok:
        lines += ["", "forewarnd was built without the snmp collector (or "
                  "its [snmp:NAME] sections are not accepted yet): only "
                  "the exporter side ran."]
    text = "\n".join(lines) + "\n"
    print(text)
    benchlib.write(results, "snmp", text, summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
