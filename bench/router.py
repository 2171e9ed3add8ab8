#!/usr/bin/env python3
"""Router link down to alert in the router lab (tests/router/lab.py),
forewarnd beside Prometheus' snmp_exporter.

r1's eth2 loses its carrier (the other end, in r2, is set down): r1 keeps
it administratively up and reports ifOperStatus down.  r1's snmpd sends
its own linkDown within a second (`monitor -r 1`) and refreshes its
ifTable cache every second, as the lab sets it up.
- forewarnd in the agent's namespace: [snmp:r1] at its default 30 s
  interval and the [snmptrap] listener, which asks for a poll of r1 when
  the linkDown arrives; the router.link_down event's arrival on the stdout
  sink, from just before `ip link set down` in r2;
- snmp_exporter in the same namespace, scraped every SCRAPE_S from a random
  phase: the first scrape showing ifOperStatus 2 for eth2.  Without a
  trap, forewarnd too waits for its next poll: its latency is then the
  poll interval's (on average half of it), as the exporter's is its
  scrape interval's.
ROUNDS rounds each (NE_ROUNDS for the exporter), median and p99; the
carrier comes back between rounds and the recovery is awaited.

    bench/router.py BUILD_DIR [RESULTS_DIR]   (root; needs tests/router)
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "tests", "router"))
import benchlib  # noqa: E402

ROUNDS = 12
NE_ROUNDS = 6
SCRAPE_S = 1.0
EXPORTER = "127.0.0.1:19117"
IF_OPER = "1.3.6.1.2.1.2.2.1.8"
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
enabled = no
[sensors]
enabled = no
[snmp:r1]
address = {addr}
version = 2c
community = {community}
interval = 30s
exclude = lo
flap_window = 1s
[snmptrap]
listen = udp:{trap}:{port}
community = {community}
"""
YML = """r1:
  walk:
  - 1.3.6.1.2.1.2.2.1.8
  - 1.3.6.1.2.1.31.1.1.1.1
  metrics:
  - name: ifOperStatus
    oid: 1.3.6.1.2.1.2.2.1.8
    type: gauge
    indexes:
    - labelname: ifIndex
      type: gauge
    lookups:
    - labels: [ifIndex]
      labelname: ifName
      oid: 1.3.6.1.2.1.31.1.1.1.1
      type: DisplayString
  version: 2
  timeout: 2s
  auth:
    community: {community}
"""


def fw_rounds(L, build, work, lab):
    conf = os.path.join(work, "fw.conf")
    with open(conf, "w") as f:
        f.write(CONF.format(addr=L["r1"].mgmt, community=lab.COMMUNITY,
                            trap=lab.TRAP_ADDR, port=lab.TRAP_PORT))
    d = L.agent([os.path.join(build, "forewarnd"), "-c", conf,
                 "--state-dir", os.path.join(work, "state"), "-v"],
                stdout=subprocess.PIPE, stderr=open(os.path.join(
                    work, "fw.log"), "w"))
    arrived = []

    def reader():
        for line in d.stdout:
            try:
                arrived.append((time.time(), json.loads(line)))
            except ValueError:
                pass
    threading.Thread(target=reader, daemon=True).start()

    def wait(state, since, timeout=40):
        end = time.time() + timeout
        while time.time() < end:
            for t, e in arrived[since:]:
                if e["check"] == "router.link_down" and \
                        e["entity"]["id"] == "r1/eth2" and \
                        e["state"] == state:
                    return t
            time.sleep(0.01)
        return None
    lat = []
    try:
        time.sleep(3)           # the first poll and its answers
        for _ in range(ROUNDS):
            n = len(arrived)
            t0 = time.time()
            L.carrier("r1", "eth2", False)
            t = wait("warning", n)
            if t is not None:
                lat.append(t - t0)
            n = len(arrived)
            L.carrier("r1", "eth2", True)
            wait("ok", n)
            time.sleep(1.2)     # trap-driven polls are 1 s apart at most
    finally:
        L.carrier("r1", "eth2", True)
        d.send_signal(signal.SIGTERM)
        d.wait(10)
    return lat


def scrape(ifname):
    try:
        with urllib.request.urlopen("http://%s/snmp?target=%s&module=r1"
                                    % (EXPORTER, ifname[1]),
                                    timeout=5) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("ifOperStatus{") and \
                        'ifName="%s"' % ifname[0] in line:
                    return float(line.split()[-1])
    except OSError:
        return None
    return None


def exporter_rounds(L, work, lab):
    yml = os.path.join(work, "snmp.yml")
    with open(yml, "w") as f:
        f.write(YML.format(community=lab.COMMUNITY))
    p = L.agent(["prometheus-snmp-exporter", "--config.file=" + yml,
                 "--web.listen-address=" + EXPORTER, "--log.level=warn"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The scrapes come from a child in the agent's namespace: the lab kills
    # whatever is left in its namespaces when it closes.
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        lat = []
        try:
            benchlib.enter_netns(L.host_ns)
            lat = scrape_rounds(L)
        finally:
            os.write(wfd, json.dumps(lat).encode())
            os._exit(0)
    os.close(wfd)
    with os.fdopen(rfd) as f:
        text = f.read()
    os.waitpid(pid, 0)
    p.terminate()
    p.wait()
    return json.loads(text or "[]")


def scrape_rounds(L):
    lat = []
    benchlib.wait_http("http://%s/metrics" % EXPORTER)
    target = ("eth2", L["r1"].mgmt)
    for i in range(NE_ROUNDS):
        time.sleep(SCRAPE_S * (i + 0.5) / NE_ROUNDS)
        next_scrape = time.time()
        t0 = time.time()
        L.carrier("r1", "eth2", False)
        while time.time() - t0 < 10:
            next_scrape += SCRAPE_S
            time.sleep(max(0, next_scrape - time.time()))
            if scrape(target) == 2:
                lat.append(time.time() - t0)
                break
        L.carrier("r1", "eth2", True)
        end = time.time() + 10
        while time.time() < end and scrape(target) != 1:
            time.sleep(0.3)
    return lat


def main():
    build = os.path.abspath(sys.argv[1])
    results = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here,
                                                                  "results")
    if os.geteuid() != 0:
        print("router bench: needs root (network namespaces); skipped")
        return 0
    try:
        import lab
    except ImportError:
        print("router bench: no tests/router/lab.py; skipped")
        return 0
    for tool in ("snmpd", "prometheus-snmp-exporter", "/usr/lib/frr/bgpd"):
        if shutil.which(tool) is None:
            print("router bench: %s missing (make bench-deps); skipped"
                  % tool)
            return 0
    work = tempfile.mkdtemp(prefix="fwbench-router-")
    os.chmod(work, 0o755)
    t = time.monotonic()
    try:
        with lab.Lab() as L:
            up = time.monotonic() - t
            fw = fw_rounds(L, build, work, lab)
            ex = exporter_rounds(L, work, lab)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    fw_ms = [x * 1000 for x in fw]
    ex_ms = [x * 1000 for x in ex]
    lines = ["# Router link down to alert, %s" % benchlib.today(), "",
             "%s. The router lab (tests/router: snmpd and FRR in "
             "namespaces, up in %.0f s): carrier loss on r1's eth2, stamped "
             "before `ip link set down` of its other end. r1's snmpd sends "
             "linkDown within 1 s and caches its ifTable for 1 s."
             % (benchlib.machine(), up), "",
             "| watcher | rounds seen | median ms | p99 ms |",
             "|---|---|---|---|"]
    for what, xs, n in (("forewarnd: [snmp:r1] every 30 s and the "
                         "[snmptrap] listener; router.link_down out of "
                         "the stdout sink", fw_ms, ROUNDS),
                        ("snmp_exporter scraped every %.0f s: the first "
                         "scrape with ifOperStatus 2" % SCRAPE_S, ex_ms,
                         NE_ROUNDS)):
        if xs:
            lines.append("| %s | %d of %d | %.0f | %.0f |" % (
                what, len(xs), n, statistics.median(xs),
                benchlib.pct(xs, 99)))
        else:
            lines.append("| %s | 0 of %d | | |" % (what, n))
    lines += ["", "Without the trap, forewarnd finds the link down at its "
              "next poll: up to the interval (30 s by default), as the "
              "exporter at its scrape interval (Prometheus' example: 15 s; "
              "SNMP jobs often 1 min)."]
    summary = []
    if fw_ms and ex_ms:
        summary.append(("link down → alert, median (p99)", "%.0f ms (%.0f)"
                        % (statistics.median(fw_ms), benchlib.pct(fw_ms, 99)),
                        "%.0f ms (%.0f) (snmp_exporter scraped every %.0f s)"
                        % (statistics.median(ex_ms), benchlib.pct(ex_ms, 99),
                           SCRAPE_S),
                        statistics.median(fw_ms) / statistics.median(ex_ms)))
    text = "\n".join(lines) + "\n"
    print(text)
    benchlib.write(results, "router", text, summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
