"""The snmp and snmptrap collectors end to end, in the router lab
(tests/router/lab.py): each scenario runs the real forewarnd in the agent's
namespace, polling r1 (SNMPv3 authPriv) and r2 (v2c), injects one fault in
the lab, proves it from the agent's side with net-snmp's tools, and asserts
the events the daemon writes to stdout (docs/events.md), named by router
and ifName (or peer address), and their recovery.  Prints "N passed, N
failed" last; exits non-zero on a failure.

    tests/router/run.py path/to/forewarnd [SCENARIO...]
"""
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402

BIN = os.path.realpath(sys.argv[1]) if len(sys.argv) > 1 else None
ONLY = sys.argv[2:]
INTERVAL = 2.0			# poll period of the scenarios (s)

results = []


def check(cond, what):
    results.append(bool(cond))
    print("%s %s" % ("ok  " if cond else "FAIL", what), flush=True)
    return cond


def report():
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if all(results) else 1


BASE = """\
[agent]
host = routerlab
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
"""


def router_conf(L, name, version, work, auth=lab.V3_AUTH, **keys):
    """The [snmp:NAME] section of one lab router."""
    r = L[name]
    lines = ["[snmp:%s]" % name, "address = %s" % r.mgmt,
             "version = %s" % version]
    if version == "3":
        for fn, text in (("auth-" + name, auth), ("priv-" + name,
                                                  lab.V3_PRIV)):
            path = os.path.join(work, fn)
            with open(path, "w") as f:
                f.write(text + "\n")
            os.chmod(path, 0o600)
        lines += ["user = %s" % lab.V3_USER, "auth_protocol = SHA-256",
                  "auth_password_file = %s" % os.path.join(work, "auth-" +
                                                           name),
                  "priv_protocol = AES",
                  "priv_password_file = %s" % os.path.join(work, "priv-" +
                                                           name)]
    else:
        lines.append("community = %s" % lab.COMMUNITY)
    keys.setdefault("interval", "%gs" % INTERVAL)
    # Generous: the machine may be busy (a poll fails after 2 s).
    keys.setdefault("timeout", "1s")
    keys.setdefault("retries", "1")
    keys.setdefault("exclude", "lo")
    lines += ["%s = %s" % (k, v) for k, v in keys.items()]
    return "\n".join(lines) + "\n"


def give_to_daemon(path):
    """Started as root, forewarnd runs as [agent] user (forewarn) when that
    user exists: its configuration, secrets and state directory are then
    that user's, as a package would make them."""
    try:
        pw = pwd.getpwnam("forewarn")
    except KeyError:
        return
    for top, dirs, files in os.walk(path):
        for name in [top] + [os.path.join(top, x) for x in dirs + files]:
            os.chown(name, pw.pw_uid, pw.pw_gid)


class Daemon:
    """forewarnd -vv in the agent's namespace: events (its stdout sink) in
    events.jsonl, its log in daemon.log, its store in state/."""

    def __init__(self, L, name, r1=None, r2=None, extra=""):
        self.L = L
        self.work = tempfile.mkdtemp(prefix="fwrouter-%d-%s-" % (os.getpid(),
                                                             name))
        self.conf = os.path.join(self.work, "fw.conf")
        text = BASE
        for rname, keys in (("r1", r1), ("r2", r2)):
            if keys is not None:
                keys = dict(keys)
                version = keys.pop("version", "3" if rname == "r1" else "2c")
                text += router_conf(L, rname, version, self.work, **keys)
        with open(self.conf, "w") as f:
            f.write(text + extra)
        give_to_daemon(self.work)
        self.events_path = os.path.join(self.work, "events.jsonl")
        self.log_path = os.path.join(self.work, "daemon.log")
        self.proc = None

    def start(self, polls=2):
        """Started; returns once each router was polled `polls` times."""
        self.out = open(self.events_path, "a")
        self.err = open(self.log_path, "a")
        self.proc = self.L.agent(
            [BIN, "-c", self.conf, "--state-dir",
             os.path.join(self.work, "state"), "-vv"],
            stdout=self.out, stderr=self.err)
        self.wait_polls(polls)

    def stop(self):
        """SIGTERM; the exit status (None if it had to be killed)."""
        if self.proc is None:
            return 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = None
        self.proc = None
        self.out.close()
        self.err.close()
        return rc

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def polls(self, router):
        return self.log().count("collector 'snmp:%s' polled" % router)

    def wait_polls(self, n, routers=None, timeout=None):
        """n more polls of each router (answers given time to arrive)."""
        routers = routers or [r for r in ("r1", "r2")
                              if "[snmp:%s]" % r in open(self.conf).read()]
        want = {r: self.polls(r) + n for r in routers}
        self.wait(lambda: all(self.polls(r) >= want[r] for r in routers),
                  timeout or (n + 2) * INTERVAL + 5, "%d polls" % n)
        time.sleep(0.3)

    def events(self, check=None, entity=None):
        out = []
        try:
            with open(self.events_path) as f:
                for line in f:
                    if line.strip():
                        out.append(json.loads(line))
        except FileNotFoundError:
            pass
        return [e for e in out if (check is None or e["check"] == check) and
                (entity is None or e["entity"]["id"] == entity)]

    def states(self, check, entity=None):
        return [(e["entity"]["id"], e["state"])
                for e in self.events(check, entity)]

    def wait(self, pred, timeout, what):
        end = time.time() + timeout
        while True:
            v = pred()
            if v:
                return v
            if not self.alive():
                raise AssertionError("forewarnd died waiting for %s: %s"
                                     % (what, self.log()[-1500:]))
            if time.time() > end:
                raise AssertionError("timed out (%.0f s) waiting for %s"
                                     % (timeout, what))
            time.sleep(0.1)

    def wait_state(self, check, entity, state, timeout):
        """The first event of check on entity in state (its time of
        arrival is returned with it)."""
        def seen():
            for e in self.events(check, entity):
                if e["state"] == state:
                    return e
            return None
        e = self.wait(seen, timeout, "%s %s on %s" % (check, state, entity))
        return e

    def wait_count(self, check, entity, n, timeout):
        self.wait(lambda: len(self.events(check, entity)) >= n, timeout,
                  "%d %s events on %s" % (n, check, entity))
        return self.events(check, entity)

    def cleanup(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        if os.environ.get("FW_KEEP") == "1":
            print("kept", self.work)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


def once(L, d):
    """forewarnd --once --format json with d's configuration (a state of
    its own): {entity id: {check: (state, summary)}} and the entities."""
    state = tempfile.mkdtemp(prefix="fwrouter-%d-once-" % os.getpid())
    give_to_daemon(state)
    try:
        r = L.agent_run([BIN, "--once", "--format", "json", "-c", d.conf,
                         "--state-dir", state], timeout=60)
    finally:
        shutil.rmtree(state, ignore_errors=True)
    doc = json.loads(r.stdout)
    got = {}
    for e in doc["entities"]:
        got[e["id"]] = {"kind": e["kind"], "checks": {
            c["check"]: (c["state"], c["summary"]) for c in e["checks"]}}
    return got, r


class RequestClock:
    """When a router's snmpd receives the agent's polls: an nftables
    counter of requests in the router, sampled every 50 ms; a burst of
    requests after a quiet 0.5 s is one poll."""

    def __init__(self, L, router):
        self.L, self.router = L, router
        L.count_requests(router, True)
        self.stamps = []
        self.stop_ = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        last, last_t = self.L.requests(self.router), 0.0
        while not self.stop_:
            n = self.L.requests(self.router)
            now = time.time()
            if n > last:
                if now - last_t > 0.5:
                    self.stamps.append(now)
                last_t = now
                last = n
            time.sleep(0.05)

    def polls(self, start, end):
        return [t for t in self.stamps if start <= t <= end]

    def close(self):
        self.stop_ = True
        self.thread.join()
        self.L.count_requests(self.router, False)


def summaries(d, check, entity):
    return [e["summary"] for e in d.events(check, entity)]


# ---- the scenarios ----

def sc_v2c_v3(L):
    """r1 over SNMPv3 authPriv (SHA-256, AES) and r2 over v2c, both
    answering: their links and BGP peers are entities, all ok."""
    d = Daemon(L, "v2c_v3", r1={}, r2={})
    try:
        got, r = once(L, d)
        for name, version in (("r1", "v3"), ("r2", "v2c")):
            st = got.get(name, {}).get("checks", {}).get(
                "router.unreachable")
            check(st is not None and st[0] == "ok" and L[name].mgmt in st[1],
                  "v2c_v3: %s over %s answers: %s" % (name, version, st))
            links = sorted(k for k, v in got.items()
                           if v["kind"] == "router_link" and
                           k.startswith(name + "/"))
            check(links == ["%s/eth1" % name, "%s/eth2" % name,
                            "%s/mgmt" % name],
                  "v2c_v3: %s's links by ifName (lo excluded): %s"
                  % (name, links))
            peer = "%s/bgp/%s" % (name, L[name].peer.core)
            st = got.get(peer, {}).get("checks", {}).get(
                "router.bgp_peer_down")
            check(st is not None and st[0] == "ok",
                  "v2c_v3: BGP peer %s ok: %s" % (peer, st))
    finally:
        d.cleanup()


def sc_admin_down(L):
    """ip link set eth2 down in r1: no router.link_down for r1/eth2 (an
    operator's act, state ok), while r2/eth2 loses its carrier (critical:
    r2 has expect_up = eth2) and recovers with it."""
    d = Daemon(L, "admin_down", r1={}, r2={"expect_up": "eth2"})
    try:
        d.start()
        L.link_admin("r1", "eth2", False)
        check(lab.wait_for(lambda: L.if_column("r1", lab.IF_ADMIN, "eth2") ==
                           "2" and L.oper_status("r1", "eth2") == 2, 5),
              "admin_down: lab: r1 eth2 ifAdminStatus 2, ifOperStatus 2")
        d.wait_state("router.link_down", "r2/eth2", "critical", 15)
        d.wait_polls(2)
        got, _ = once(L, d)
        st = got.get("r1/eth2", {}).get("checks", {}).get("router.link_down")
        check(st is not None and st[0] == "ok",
              "admin_down: r1/eth2 router.link_down is ok while admin down: "
              "%s" % (st,))
        L.link_admin("r1", "eth2", True)
        d.wait_state("router.link_down", "r2/eth2", "ok", 15)
        d.wait_polls(1)
        check(d.states("router.link_down", "r1/eth2") == [],
              "admin_down: no router.link_down event for r1/eth2: %s"
              % d.states("router.link_down", "r1/eth2"))
        check(d.states("router.link_down") == [("r2/eth2", "critical"),
                                               ("r2/eth2", "ok")],
              "admin_down: r2/eth2 (carrier lost, expect_up) critical then "
              "ok: %s"
              % d.states("router.link_down"))
        s = summaries(d, "router.link_down", "r2/eth2")
        check(all("eth2" in x and "r2" in x for x in s),
              "admin_down: summaries name r2 and eth2: %s" % s)
        check(d.stop() == 0, "admin_down: forewarnd exits 0")
    finally:
        L.link_admin("r1", "eth2", True)
        d.cleanup()


def sc_carrier_loss(L):
    """r2 sets its end of eth2 down: r1/eth2 (admin up, seen up) is
    router.link_down warning, then ok when the carrier is back; r2/eth2,
    admin down, is no alert."""
    d = Daemon(L, "carrier_loss", r1={}, r2={})
    try:
        d.start()
        L.carrier("r1", "eth2", False)
        check(lab.wait_for(lambda: L.oper_status("r1", "eth2") == 2, 5) and
              L.if_column("r1", lab.IF_ADMIN, "eth2") == "1",
              "carrier_loss: lab: r1 eth2 ifAdminStatus 1, ifOperStatus 2")
        e = d.wait_state("router.link_down", "r1/eth2", "warning", 15)
        check("eth2" in e["summary"] and "r1" in e["summary"],
              "carrier_loss: %s" % e["summary"])
        L.carrier("r1", "eth2", True)
        e = d.wait_state("router.link_down", "r1/eth2", "ok", 15)
        check("eth2" in e["summary"] and "r1" in e["summary"],
              "carrier_loss: recovered: %s" % e["summary"])
        d.wait_polls(1)
        check(d.states("router.link_down") == [("r1/eth2", "warning"),
                                               ("r1/eth2", "ok")],
              "carrier_loss: only r1/eth2, warning then ok: %s"
              % d.states("router.link_down"))
        check(d.stop() == 0, "carrier_loss: forewarnd exits 0")
    finally:
        L.carrier("r1", "eth2", True)
        d.cleanup()


def sc_flapping(L):
    """r1 eth2's carrier lost and back every 2.4 s for 10 s: ifLastChange
    moves between polls, router.link_flapping on r1/eth2 (3 changes within
    flap_window = 15 s is a warning); ok once they leave the window."""
    d = Daemon(L, "flapping", r1={"flap_window": "15s"},
               r2={"flap_window": "15s"})
    try:
        d.start()
        # Each state held past snmpd's 1 s ifTable cache, which is where
        # ifLastChange comes from: a change between two reloads is unseen.
        end = time.time() + 5 * INTERVAL
        while time.time() < end:
            L.carrier("r1", "eth2", False)
            time.sleep(1.2)
            L.carrier("r1", "eth2", True)
            time.sleep(1.2)
        e = d.wait(lambda: [x for x in d.events("router.link_flapping",
                                                "r1/eth2")
                            if x["state"] in ("warning", "critical")],
                   10, "router.link_flapping on r1/eth2")[0]
        check("eth2" in e["summary"] and "r1" in e["summary"],
              "flapping: %s: %s" % (e["state"], e["summary"]))
        e = d.wait_state("router.link_flapping", "r1/eth2", "ok", 30)
        check(True, "flapping: ok again: %s" % e["summary"])
        others = {x[0] for x in d.states("router.link_flapping")} - \
            {"r1/eth2", "r2/eth2"}
        check(not others, "flapping: no other link: %s" % others)
        check(d.stop() == 0, "flapping: forewarnd exits 0")
    finally:
        L.carrier("r1", "eth2", True)
        d.cleanup()


def sc_bgp_blackhole(L):
    """TCP 179 dropped between r1 and r2 (links up): after the hold timer
    each side's peer is router.bgp_peer_down critical; healed, ok."""
    d = Daemon(L, "bgp_blackhole", r1={}, r2={})
    p1 = "r1/bgp/%s" % L["r2"].core
    p2 = "r2/bgp/%s" % L["r1"].core
    try:
        d.start()
        t0 = time.time()
        L.bgp_blackhole(True)
        check(lab.wait_for(lambda: L.bgp_state("r1") not in
                           (6, None, "NOSUCH"), 15) and
              L.oper_status("r1", "eth1") == 1,
              "bgp_blackhole: lab: bgpPeerState leaves 6 after %.1f s, "
              "eth1 up" % (time.time() - t0))
        for p in (p1, p2):
            e = d.wait_state("router.bgp_peer_down", p, "critical", 15)
            peer = p.split("/")[-1]
            check(peer in e["summary"],
                  "bgp_blackhole: %s: %s" % (p, e["summary"]))
        L.bgp_blackhole(False)
        for p in (p1, p2):
            d.wait_state("router.bgp_peer_down", p, "ok", 20)
        d.wait_polls(1)
        for p in (p1, p2):
            check(d.states("router.bgp_peer_down", p) ==
                  [(p, "critical"), (p, "ok")],
                  "bgp_blackhole: %s critical then ok: %s"
                  % (p, d.states("router.bgp_peer_down", p)))
        check(d.events("router.link_down") == [],
              "bgp_blackhole: no link went down: %s"
              % d.states("router.link_down"))
        check(d.stop() == 0, "bgp_blackhole: forewarnd exits 0")
    finally:
        L.bgp_blackhole(False)
        d.cleanup()


def sc_reboot(L):
    """snmpd of r1 restarted (sysUpTime from 0, BGP4-MIB noSuchObject
    until bgpd's AgentX is back): router.rebooted critical, ok after
    reboot_hold (10 s); r1's BGP peer unknown or ok, never down."""
    d = Daemon(L, "reboot", r1={"reboot_hold": "10s"}, r2={})
    peer = "r1/bgp/%s" % L["r2"].core
    try:
        d.start()
        before = lab._ticks(L.snmpget("r1", lab.SYS_UPTIME))
        t0 = time.time()
        L.reboot("r1")
        after = lab._ticks(L.snmpget("r1", lab.SYS_UPTIME))
        check(before and after is not None and after < before and
              L.bgp_state("r1") == "NOSUCH",
              "reboot: lab: sysUpTime %s -> %s, BGP4-MIB noSuchObject"
              % (before, after))
        e = d.wait_state("router.rebooted", "r1", "critical", 15)
        check("r1" in e["summary"], "reboot: %s" % e["summary"])
        lab.wait_for(lambda: L.bgp_state("r1") == 6, 40, 0.5,
                     "BGP4-MIB back")
        print("     BGP4-MIB back %.1f s after the restart"
              % (time.time() - t0), flush=True)
        d.wait_polls(2)
        e = d.wait_state("router.rebooted", "r1", "ok", 15)
        check(True, "reboot: router.rebooted ok after reboot_hold: %s"
              % e["summary"])
        st = d.states("router.bgp_peer_down")
        check(all(s in ("unknown", "ok") for _, s in st) and
              all(p == peer for p, _ in st),
              "reboot: r1's BGP peer only unknown/ok, never down: %s" % st)
        check(not st or st[-1][1] == "ok",
              "reboot: and ok at the end: %s" % st)
        check(d.states("router.unreachable") == [],
              "reboot: r1 never unreachable: %s"
              % [(e["state"], e["summary"]) for e in
                 d.events("router.unreachable")])
        check(d.states("router.rebooted", "r2") == [],
              "reboot: r2 not rebooted")
        check(d.stop() == 0, "reboot: forewarnd exits 0")
    finally:
        d.cleanup()


def sc_unreachable(L):
    """r1 drops the agent's requests: router.unreachable critical after
    raise_after = 2 failed polls, ok when it answers again; r2 is polled
    on time all along (r1's failed polls take 4 s each: timeout 2 s,
    1 retry)."""
    d = Daemon(L, "unreachable", r1={"timeout": "2s", "retries": "1"},
               r2={}, extra="[check:router.unreachable]\nraise_after = 2\n")
    clock = None
    try:
        d.start()
        clock = RequestClock(L, "r2")
        time.sleep(0.5)
        t0 = time.time()
        L.unreachable("r1", True)
        check(L.snmpget("r1", lab.SYS_UPTIME) is None and
              L.snmpget("r2", lab.SYS_UPTIME) is not None,
              "unreachable: lab: r1 silent, r2 answers")
        e = d.wait_state("router.unreachable", "r1", "critical", 25)
        check("r1" in e["summary"] and L["r1"].mgmt in e["summary"],
              "unreachable: %s" % e["summary"])
        time.sleep(2 * INTERVAL)
        t1 = time.time()
        L.unreachable("r1", False)
        e = d.wait_state("router.unreachable", "r1", "ok", 15)
        check("r1" in e["summary"], "unreachable: back: %s" % e["summary"])
        polls = clock.polls(t0, t1)
        gaps = [b - a for a, b in zip(polls, polls[1:])]
        check(len(polls) >= (t1 - t0) / INTERVAL - 2 and gaps and
              max(gaps) < INTERVAL + 4.0 - 0.5,
              "unreachable: r2 polled on time while r1 was dead: %d polls "
              "in %.1f s, gaps %s s" % (len(polls), t1 - t0,
                                        " ".join("%.1f" % g for g in gaps)))
        check(d.states("router.unreachable", "r2") == [],
              "unreachable: r2 never unreachable")
        check(d.stop() == 0, "unreachable: forewarnd exits 0")
    finally:
        if clock:
            clock.close()
        L.unreachable("r1", False)
        d.cleanup()


def sc_inform_v3(L):
    """The listener takes only v3 (labv3, authPriv): snmpd's own v2c
    linkDown is refused; an SNMPv3 inform of linkDown from r1 is
    acknowledged and asks for the poll that reports r1/eth2 down within
    seconds (60 s interval); a v3 linkUp inform brings the ok."""
    work = tempfile.mkdtemp(prefix="fwrouter-%d-keys-" % os.getpid())
    for fn, text in (("auth", lab.V3_AUTH), ("priv", lab.V3_PRIV)):
        with open(os.path.join(work, fn), "w") as f:
            f.write(text + "\n")
        os.chmod(os.path.join(work, fn), 0o600)
    give_to_daemon(work)
    extra = ("[snmptrap]\nlisten = udp:%s:%d\nuser = %s\n"
             "auth_protocol = SHA-256\nauth_password_file = %s\n"
             "priv_protocol = AES\npriv_password_file = %s\n"
             % (lab.TRAP_ADDR, lab.TRAP_PORT, lab.V3_USER,
                os.path.join(work, "auth"), os.path.join(work, "priv")))
    d = Daemon(L, "inform_v3", r1={"interval": "60s"},
               r2={"interval": "60s"}, extra=extra)
    try:
        d.start(polls=1)
        time.sleep(1.0)
        L.carrier("r1", "eth2", False)
        lab.wait_for(lambda: L.oper_status("r1", "eth2") == 2, 5)
        time.sleep(2.0)		# snmpd's v2c linkDown has come and gone
        check(d.events("router.link_down") == [],
              "inform_v3: the v2c trap alone brings no poll: %s"
              % d.states("router.link_down"))
        t0 = time.time()
        acked = L.send_trap("r1", lab.TRAP_LINK_DOWN, "eth2", version="3")
        check(acked, "inform_v3: the listener acknowledged r1's v3 inform")
        e = d.wait_state("router.link_down", "r1/eth2", "warning", 30)
        check(time.time() - t0 < 20, "inform_v3: router.link_down %.1f s "
              "after the inform: %s" % (time.time() - t0, e["summary"]))
        L.carrier("r1", "eth2", True)
        lab.wait_for(lambda: L.oper_status("r1", "eth2") == 1, 5)
        t0 = time.time()
        L.send_trap("r1", lab.TRAP_LINK_UP, "eth2", version="3")
        d.wait_state("router.link_down", "r1/eth2", "ok", 30)
        check(time.time() - t0 < 20, "inform_v3: ok %.1f s after the "
              "linkUp inform" % (time.time() - t0))
        check(d.stop() == 0, "inform_v3: forewarnd exits 0")
    finally:
        L.carrier("r1", "eth2", True)
        d.cleanup()
        shutil.rmtree(work, ignore_errors=True)


def sc_errors(L):
    """ifInErrors of r1 eth2 jumps by 1000 (Counter32 SET to snmpd's
    override) with a few hundred packets: router.link_errors on r1/eth2;
    ok once the errors leave the window (10 s)."""
    L.set_errors("r1", "eth2", 0)
    d = Daemon(L, "errors", r1={"window": "10s"}, r2={"window": "10s"})
    try:
        d.start(polls=3)
        L.traffic("r1", 50)
        L.set_errors("r1", "eth2", 1000)
        check(L.if_column("r1", lab.IF_IN_ERRORS, "eth2") == "1000",
              "errors: lab: r1 eth2 ifInErrors 1000 from the agent's side")
        e = d.wait(lambda: [x for x in d.events("router.link_errors",
                                                "r1/eth2")
                            if x["state"] in ("warning", "critical")],
                   10, "router.link_errors on r1/eth2")[0]
        check("eth2" in e["summary"] and "r1" in e["summary"],
              "errors: %s: %s" % (e["state"], e["summary"]))
        e = d.wait_state("router.link_errors", "r1/eth2", "ok", 25)
        check(True, "errors: ok again: %s" % e["summary"])
        others = [x for x in d.states("router.link_errors")
                  if x[0] != "r1/eth2"]
        check(others == [], "errors: no other link: %s" % others)
        check(d.stop() == 0, "errors: forewarnd exits 0")
    finally:
        L.set_errors("r1", "eth2", 0)
        d.cleanup()


def sc_wrong_v3(L):
    """r1's v3 auth passphrase is wrong: a clear error naming r1 in the
    daemon's log, router.unreachable unknown (it answers, refusing), no
    crash; r2 is polled as ever."""
    d = Daemon(L, "wrong_v3", r1={"auth": "wrongpass1"}, r2={})
    try:
        d.start(polls=3)
        lines = [x for x in d.log().splitlines() if re.search(r"\br1\b", x)
                 and (x.startswith("<3>") or x.startswith("<4>"))]
        check(any(w in x.lower() for x in lines for w in
                  ("auth", "digest", "password", "passphrase", "credential",
                   "usm", "refuse")),
              "wrong_v3: a warning naming r1 and why in the log: %s"
              % (lines or [x for x in d.log().splitlines() if
                           re.search(r"\br1\b", x) and "polled" not in x]))
        try:
            d.wait(lambda: d.events("router.unreachable", "r1"),
                   3 * INTERVAL, "router.unreachable on r1")
        except AssertionError:
            pass
        got = d.events("router.unreachable", "r1")
        check([e["state"] for e in got] == ["unknown"] and
              L["r1"].mgmt in got[0]["summary"],
              "wrong_v3: router.unreachable unknown naming the target: %s"
              % [(e["state"], e["summary"]) for e in got])
        n = d.polls("r2")
        d.wait_polls(2, ["r2"])
        check(d.polls("r2") >= n + 2 and
              d.events(entity="r2") == [] and d.alive(),
              "wrong_v3: still running, r2 polled and fine")
        check(d.stop() == 0, "wrong_v3: forewarnd exits 0")
    finally:
        d.cleanup()


def sc_trap(L):
    """With a 60 s interval, a carrier loss on r1 eth2: r1's snmpd sends
    linkDown to the trap listener, which asks for a poll of r1 now: the
    router.link_down event comes within seconds, long before the next
    poll; linkUp brings the ok the same way."""
    extra = ("[snmptrap]\nlisten = udp:%s:%d\ncommunity = %s\n"
             % (lab.TRAP_ADDR, lab.TRAP_PORT, lab.COMMUNITY))
    d = Daemon(L, "trap", r1={"interval": "60s"}, r2={"interval": "60s"},
               extra=extra)
    try:
        d.start(polls=1)
        time.sleep(1.0)		# the first poll's answers
        t0 = time.time()
        L.carrier("r1", "eth2", False)
        e = d.wait_state("router.link_down", "r1/eth2", "warning", 30)
        t1 = time.time()
        check(t1 - t0 < 20, "trap: router.link_down warning on r1/eth2 "
              "%.1f s after the carrier loss (next poll due in ~59 s): %s"
              % (t1 - t0, e["summary"]))
        said = [x for x in d.log().splitlines() if "linkDown" in x and
                L["r1"].mgmt in x]
        check(said, "trap: the listener took r1's linkDown and asked for a "
              "poll: %s" % said[:1])
        L.carrier("r1", "eth2", True)
        e = d.wait_state("router.link_down", "r1/eth2", "ok", 30)
        check(time.time() - t1 < 20, "trap: ok %.1f s after the carrier "
              "came back (linkUp)" % (time.time() - t1))
        check(d.polls("r1") < 20, "trap: trap polls were bounded (%d polls "
              "of r1)" % d.polls("r1"))
        check(d.stop() == 0, "trap: forewarnd exits 0")
    finally:
        L.carrier("r1", "eth2", True)
        d.cleanup()


def sc_replaced(L):
    """r1 swapped for a spare with the same address and v3 credentials
    (a new snmpEngineID, as after an RMA or an engine ID reconfigured):
    the agent must find the new engine and poll it (router.rebooted, the
    new unit's sysUpTime), not call r1 unreachable while it answers."""
    d = Daemon(L, "replaced", r1={}, r2={})
    try:
        d.start()
        def engine():
            v = L.snmpget("r1", lab.SNMP_ENGINE_ID, version="3")
            return "".join((v or "").strip('"').split())
        old = engine()
        L.reboot("r1", replaced=True)
        new = engine()
        check(old and new and old != new and
              L.snmpget("r1", lab.SYS_UPTIME, version="3") is not None,
              "replaced: lab: r1 answers v3 with a new snmpEngineID "
              "(%s -> %s)" % (old, new))
        try:
            d.wait_state("router.rebooted", "r1", "critical", 6 * INTERVAL)
        except AssertionError:
            pass
        d.wait_polls(2, ["r1"])
        got = [(e["state"], e["summary"]) for e in
               d.events("router.unreachable", "r1")]
        check(not any(s == "critical" for s, _ in got),
              "replaced: r1 not called unreachable: %s" % got)
        check(d.states("router.rebooted", "r1")[:1] == [("r1", "critical")],
              "replaced: the new unit polled (router.rebooted): %s"
              % d.states("router.rebooted", "r1"))
        check(d.stop() == 0, "replaced: forewarnd exits 0")
    finally:
        d.cleanup()


def sc_many_interfaces(L):
    """200 more interfaces on r2 (100 veth pairs by ip -batch): every one
    a router_link entity r2/<ifName> in forewarnd --once --format json."""
    d = Daemon(L, "many", r1={}, r2={})
    try:
        L.add_interfaces("r2", 100)
        try:	# snmpd's ifTable cache: 1 s
            lab.wait_for(lambda: len(L.snmpwalk("r2", lab.IF_NAME)) >= 204,
                         10, 0.3)
        except TimeoutError:
            pass
        names = L.snmpwalk("r2", lab.IF_NAME)
        check(len(names) == 204, "many_interfaces: lab: r2 walks %d ifName "
              "rows" % len(names))
        t0 = time.time()
        got, r = once(L, d)
        took = time.time() - t0
        links = {k for k, v in got.items() if v["kind"] == "router_link" and
                 k.startswith("r2/")}
        want = {"r2/%s%d" % (p, i) for p in "xy" for i in range(100)} | \
            {"r2/mgmt", "r2/eth1", "r2/eth2"}
        check(links == want, "many_interfaces: %d router_link entities of "
              "r2 (want 203) in %.1f s; missing %s, extra %s"
              % (len(links), took, sorted(want - links)[:5],
                 sorted(links - want)[:5]))
        bad = [k for k in links if
               got[k]["checks"].get("router.link_down", ("?",))[0] != "ok"]
        check(not bad, "many_interfaces: all ok: %s" % bad[:5])
    finally:
        d.cleanup()


SCENARIOS = [
    ("v2c_v3", sc_v2c_v3),
    ("admin_down", sc_admin_down),
    ("carrier_loss", sc_carrier_loss),
    ("trap", sc_trap),
    ("inform_v3", sc_inform_v3),
    ("errors", sc_errors),
    ("flapping", sc_flapping),
    ("bgp_blackhole", sc_bgp_blackhole),
    ("unreachable", sc_unreachable),
    ("wrong_v3", sc_wrong_v3),
    ("reboot", sc_reboot),
    ("replaced", sc_replaced),
    ("many_interfaces", sc_many_interfaces),	# last: it keeps them
]


def main():
    if BIN is None:
        print("usage: run.py path/to/forewarnd [SCENARIO...]")
        return 2
    if os.geteuid() != 0:
        print("not root: network namespaces cannot be made; skipped")
        print("0 passed, 0 failed")
        return 0
    missing = [t for t in ("snmpd", "snmpget", "snmpbulkwalk", "snmptrap",
                           "nft") if shutil.which(t) is None]
    missing += [p for p in (lab.FRR_BIN + "/bgpd", lab.FRR_BIN + "/zebra")
                if not os.path.exists(p)]
    if missing:
        check(False, "the lab's tools are installed (make deps): missing %s"
              % " ".join(missing))
        return report()
    probe = tempfile.NamedTemporaryFile("w", suffix=".conf")
    probe.write("[snmp:probe]\naddress = 127.0.0.1\ncommunity = x\n")
    probe.flush()
    r = subprocess.run([BIN, "--check-config", "-c", probe.name],
                       capture_output=True, text=True)
    if r.returncode != 0:
        said = r.stdout + r.stderr
        if "WITH_SNMP" in said or "unknown section [snmp:" in said:
            # As tests/net does for a build without libmnl.
            print("forewarnd has no snmp collector (built with WITH_SNMP=0)")
            print("0 passed, 0 failed")
            return 0
        check(False, "forewarnd --check-config of an [snmp:NAME] section: "
              "%s" % said.strip()[-300:])
        return report()
    t_all = time.time()
    L = lab.Lab()
    print("lab up in %.1f s (%s)" % (time.time() - t_all, L.dir), flush=True)
    try:
        check(L.snmpget("r1", lab.SYS_UPTIME, version="3") is not None and
              L.snmpget("r2", lab.SYS_UPTIME) is not None and
              L.bgp_state("r1") == 6 and L.bgp_state("r2") == 6,
              "lab: r1 (v3) and r2 (v2c) answer, BGP established")
        for name, fn in SCENARIOS:
            if ONLY and name not in ONLY:
                continue
            t0 = time.time()
            n = len(results)
            try:
                fn(L)
            except Exception as ex:
                check(False, "%s: %s" % (name, ex))
                traceback.print_exc(limit=3, file=sys.stdout)
            bad = len(results) - n - sum(results[n:])
            print("---- %s %s (%.1f s)" % (name, "ok" if bad == 0 else
                                          "FAILED", time.time() - t0),
                  flush=True)
            # The lab is as it was for the next one.
            try:
                L.wait_bgp(True, 30)
            except TimeoutError as ex:
                check(False, "lab: BGP after %s: %s" % (name, ex))
    finally:
        L.close()
    print("suite took %.0f s" % (time.time() - t_all))
    return report()


sys.exit(main())
