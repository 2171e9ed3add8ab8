"""The SNMP collector against snmpsim on loopback: a real recording of a
Cisco Catalyst 3750 (Debian's snmpsim examples), a small router with BGP4-MIB
peers and ENTITY-SENSOR-MIB sensors, and a hostile agent (wrong types,
missing columns, 5,000 rows, octet counters running backwards).  The
router lab (tests/router/) has the real snmpd and FRR; this one needs
neither root nor namespaces, only snmpsim.

    python3 tests/snmp/run.py path/to/forewarnd
"""
import gzip
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(here, "..", "fixtures", "snmp")
CISCO = "/usr/share/doc/snmpsim/examples/data/cisco_16_switch.snmprec.gz"

results = []


def check(cond, what):
    results.append(bool(cond))
    print("%s %s" % ("ok  " if cond else "FAIL", what))
    return cond


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_answer(port, community, timeout=30.0):
    """snmpsim indexes its data files at start: wait until it answers."""
    end = time.time() + timeout
    while time.time() < end:
        r = subprocess.run(["snmpget", "-v2c", "-c", community, "-On", "-t",
                            "1", "-r", "0", "127.0.0.1:%d" % port,
                            ".1.3.6.1.2.1.1.3.0"], capture_output=True,
                           text=True, env=dict(os.environ, MIBS=""))
        if r.returncode == 0 and "Timeticks" in r.stdout:
            return True
        time.sleep(0.3)
    return False


class Simulator:
    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "sim")
        data = os.path.join(self.dir, "data")
        os.makedirs(data)
        os.makedirs(os.path.join(self.dir, "cache"))
        for f in ("router.snmprec", "hostile.snmprec"):
            shutil.copy(os.path.join(FIXTURES, f), data)
        with gzip.open(CISCO, "rb") as src, \
                open(os.path.join(data, "cisco.snmprec"), "wb") as dst:
            shutil.copyfileobj(src, dst)
        for root, dirs, files in os.walk(self.dir):
            os.chmod(root, 0o777)
            for f in files:
                os.chmod(os.path.join(root, f), 0o666)
        os.chmod(tmp, 0o755)
        self.port = free_udp_port()
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen(
            ["snmpsimd", "--data-dir=" + data,
             "--cache-dir=" + os.path.join(self.dir, "cache"),
             "--agent-udpv4-endpoint=127.0.0.1:%d" % self.port,
             "--process-user=nobody", "--process-group=nogroup",
             "--logging-method=null"],
            stdout=self.log, stderr=subprocess.STDOUT)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def conf(tmp, port, extra=""):
    path = os.path.join(tmp, "forewarn.conf")
    with open(path, "w") as f:
        f.write("""[agent]
state_dir = %(tmp)s/state
user = root
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
[sink:out]
type = stdout
[snmp:edge1]
address = 127.0.0.1:%(port)d
community = router
interval = 1s
expect_speed = ge-0/0/0=10000
[snmp:c3750]
address = 127.0.0.1:%(port)d
community = cisco
[snmp:hostile]
address = 127.0.0.1:%(port)d
community = hostile
timeout = 5s
interval = 1s
%(extra)s""" % {"tmp": tmp, "port": port, "extra": extra})
    return path


def entities(doc, prefix):
    return {e["id"]: e for e in doc["entities"] if e["id"].startswith(prefix)}


def state_of(ent, code):
    for c in ent["checks"]:
        if c["check"] == code:
            return c["state"], c.get("summary", "")
    return None, ""


def once(fwd, cfg):
    r = subprocess.run([fwd, "--once", "--format", "json", "-c", cfg],
                       capture_output=True, text=True, timeout=120)
    try:
        return r, json.loads(r.stdout)
    except ValueError:
        return r, {"entities": []}


def test_once(fwd, tmp, port):
    print("# --once: a recorded Catalyst, a router with BGP and sensors, "
          "a hostile agent")
    r, doc = once(fwd, conf(tmp, port))
    check(r.returncode == 2, "exit 2: critical (sensors), got %d" %
          r.returncode)
    c3750 = entities(doc, "c3750")
    links = [e for e in c3750.values() if e["kind"] == "router_link"]
    check(len(links) == 59, "the Catalyst's 59 interfaces are links by "
          "ifName (%d)" % len(links))
    rt = c3750.get("c3750", {})
    check(rt.get("labels", {}).get("sys_name") == "Profiler3750",
          "sysName is a label of the router")
    up = c3750.get("c3750/Fa3/0/11")
    check(up is not None and state_of(up, "router.link_down")[0] == "ok",
          "Fa3/0/11 is up, ok")
    down = c3750.get("c3750/Fa3/0/1")
    check(down is not None and "never seen up" in
          state_of(down, "router.link_down")[1],
          "a port down since before the first poll is no alarm")

    edge = entities(doc, "edge1")
    st, msg = state_of(edge.get("edge1/ge-0/0/0", {}),
                       "router.link_speed_degraded")
    check(st == "warning" and "expected 10000" in msg,
          "1000 Mb/s where 10000 is expected: router.link_speed_degraded "
          "(%s)" % msg)
    check("edge1/lo0" not in edge, "a softwareLoopback is no link")
    st, _ = state_of(edge.get("edge1/ge-0/0/2", {}), "router.link_down")
    check(st == "ok", "an admin-down link is ok")
    st, msg = state_of(edge.get("edge1/sensor/1004", {}),
                       "router.sensor_temp")
    check(st == "critical" and "91.5" in msg and "Inlet Temp" in msg,
          "91.5 °C at the inlet (entPhysicalName): critical (%s)" % msg)
    st, msg = state_of(edge.get("edge1/sensor/1005", {}), "router.sensor")
    check(st == "critical" and "nonoperational" in msg,
          "a non-operational fan: router.sensor critical")
    peers = [e for e in edge.values() if e["kind"] == "bgp_peer"]
    check(len(peers) == 3, "three BGP peers (%d)" % len(peers))
    st, msg = state_of(edge.get("edge1/bgp/192.0.2.5", {}),
                       "router.bgp_peer_down")
    check(st == "ok" and "never seen established" in msg,
          "a peer never established is no alarm")
    st, msg = state_of(edge.get("edge1/bgp/192.0.2.9", {}),
                       "router.bgp_peer_down")
    check(st == "ok" and "administratively stopped" in msg,
          "an administratively stopped peer is ok")

    hostile = entities(doc, "hostile")
    check(state_of(hostile.get("hostile", {}),
                   "router.unreachable")[0] == "ok",
          "the hostile agent answers")
    hl = sorted(k for k, e in hostile.items() if e["kind"] == "router_link")
    check(hl == ["hostile/port1", "hostile/port3"],
          "only rows with a valid ifOperStatus are links (%s)" % hl[:5])
    agent = entities(doc, "collector/snmp:hostile").get(
        "collector/snmp:hostile", {})
    st, msg = state_of(agent, "agent.collector_error")
    check(st == "warning" and "1.3.6.1.2.1.2.2.1.14.1: Counter64, not "
          "Counter32" in msg and "4096" in msg,
          "refused varbinds and the row cap are named: %s" % msg)
    check("9 varbinds refused" in r.stderr, "the log says it once")


def test_daemon(fwd, tmp, port):
    print("# the daemon: counters running backwards, a reload with a bad "
          "expect_speed")
    cfg = conf(tmp, port)
    os.makedirs(os.path.join(tmp, "state"), exist_ok=True)
    out = open(os.path.join(tmp, "events.json"), "w")
    err = open(os.path.join(tmp, "daemon.log"), "w")
    p = subprocess.Popen([fwd, "-c", cfg], stdout=out, stderr=err)
    time.sleep(5)
    check(p.poll() is None, "the daemon runs after five polls of the "
          "hostile agent")
    with open(cfg, "a") as f:
        f.write("[snmp:bad]\naddress = 127.0.0.1:%d\ncommunity = x\n"
                "expect_speed = eth0=fast\n" % port)
    p.send_signal(signal.SIGHUP)
    time.sleep(2)
    check(p.poll() is None, "a reload with a bad expect_speed does not "
          "stop it")
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(15)
    except subprocess.TimeoutExpired:
        p.kill()
    out.close()
    err.close()
    log = open(os.path.join(tmp, "daemon.log")).read()
    check("expect_speed 'eth0=fast' is not GLOB=MBPS" in log,
          "the bad value is named in the log")
    evs = [json.loads(line) for line in open(os.path.join(tmp,
                                                          "events.json"))
           if line.startswith("{")]
    bogus = [e for e in evs if e["entity"]["id"].startswith("hostile/")
             and e["check"] in ("router.link_saturation",
                                "router.link_errors")]
    check(not bogus, "octets running backwards raise no saturation or "
          "errors (%d events)" % len(bogus))
    speed = [e for e in evs if e["check"] == "router.link_speed_degraded"
             and e["entity"]["id"] == "edge1/ge-0/0/0"]
    check(speed and speed[0]["state"] == "warning",
          "the speed warning is raised after two polls, as an event")
    check(p.returncode == 0, "a clean stop (exit %s)" % p.returncode)


def main():
    if len(sys.argv) < 2:
        print("usage: run.py path/to/forewarnd")
        return 2
    fwd = os.path.abspath(sys.argv[1])
    if not check(shutil.which("snmpsimd") and os.path.exists(CISCO),
                 "snmpsim and its recordings are installed"):
        print("0 passed, 1 failed")
        return 1
    tmp = tempfile.mkdtemp(prefix="fw-snmp-")
    sim = Simulator(tmp)
    try:
        if check(wait_answer(sim.port, "router") and
                 wait_answer(sim.port, "cisco"), "snmpsim answers"):
            test_once(fwd, tmp, sim.port)
            test_daemon(fwd, tmp, sim.port)
    finally:
        sim.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
