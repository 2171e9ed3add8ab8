"""The netlink collector against the kernel's own rtnetlink: each case makes
a network namespace with veth pairs, runs forewarnd inside it, changes the
links (peer down, admin down, flaps, rename, MTU, delete) and asserts the
exact events it emits.  Prints "N passed, N failed" last."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BIN = os.path.realpath(sys.argv[1])
ONLY = sys.argv[2:]

CONF = """[agent]
host = nettest
; the state directory lies in this test's private temporary directory
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
flap_settle = 2s
"""


def ip(ns, *args):
    subprocess.run(["ip", "-n", ns] + list(args), check=True)


class Case:
    def __init__(self, name, extra=""):
        self.ns = "fwnet%d-%s" % (os.getpid(), name)
        self.dir = tempfile.mkdtemp(prefix="fwnet-")
        self.conf = os.path.join(self.dir, "forewarn.conf")
        with open(self.conf, "w") as f:
            f.write(CONF + extra)
        self.events = os.path.join(self.dir, "events.jsonl")
        self.log = os.path.join(self.dir, "daemon.log")
        self.proc = None
        subprocess.run(["ip", "netns", "add", self.ns], check=True)

    def pair(self, a, b, up=(True, True)):
        ip(self.ns, "link", "add", a, "type", "veth", "peer", "name", b)
        for name, u in zip((a, b), up):
            if u:
                ip(self.ns, "link", "set", name, "up")

    def start(self):
        n = self.count_log("collector 'net' polled")
        out = open(self.events, "a")
        err = open(self.log, "a")
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, BIN, "-c", self.conf,
             "--state-dir", os.path.join(self.dir, "state"), "-vv"],
            stdout=out, stderr=err)
        self.wait(lambda: self.count_log("collector 'net' polled") > n,
                  "the first poll")

    def stop(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(10)
            self.proc = None
            if rc != 0:
                raise AssertionError("daemon exited %d" % rc)

    def scan(self):
        """A full poll (SIGUSR1), waited for."""
        n = self.count_log("collector 'net' polled")
        self.proc.send_signal(signal.SIGUSR1)
        self.wait(lambda: self.count_log("collector 'net' polled") > n,
                  "a scan")

    def count_log(self, text):
        try:
            with open(self.log) as f:
                return sum(text in line for line in f)
        except FileNotFoundError:
            return 0

    def all_events(self):
        out = []
        try:
            with open(self.events) as f:
                for line in f:
                    if line.strip():
                        out.append(json.loads(line))
        except FileNotFoundError:
            pass
        return out

    def ev(self, check, name=None):
        return [e for e in self.all_events() if e["check"] == check and
                (name is None or e["entity"]["name"] == name)]

    def states(self, check, name=None):
        return [(e["entity"]["name"], e["state"]) for e in self.ev(check,
                                                                   name)]

    def wait(self, pred, what, timeout=5.0):
        end = time.time() + timeout
        while time.time() < end:
            if pred():
                return
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError("daemon died waiting for " + what)
            time.sleep(0.02)
        raise AssertionError("timed out waiting for " + what)

    def wait_events(self, check, n, name=None, timeout=5.0):
        self.wait(lambda: len(self.ev(check, name)) >= n,
                  "%d %s events" % (n, check), timeout)

    def cleanup(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
        subprocess.run(["ip", "netns", "del", self.ns])
        shutil.rmtree(self.dir, ignore_errors=True)


def eq(got, want, what):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


# ---- cases ----

def case_carrier_loss(c):
    """Peer down: the other end loses its carrier (warning); the peer is
    admin down, which is no alert; both come back."""
    c.pair("va", "vb")
    c.start()
    ip(c.ns, "link", "set", "vb", "down")
    c.wait_events("net.link_down", 1)
    e = c.ev("net.link_down")[0]
    eq(e["entity"]["name"], "va", "entity")
    eq(e["entity"]["labels"]["kind"], "veth", "kind label")
    assert "lowerlayerdown" in e["summary"], e["summary"]
    ip(c.ns, "link", "set", "vb", "up")
    c.wait_events("net.link_down", 2)
    c.scan()
    eq(c.states("net.link_down"), [("va", "warning"), ("va", "ok")],
       "link_down events")
    c.stop()


def case_never_up(c):
    """A port never up (no peer up, like no cable) is not an alert; once
    it has been up, losing it is."""
    c.pair("vc", "vd", up=(True, False))
    c.start()
    c.scan()
    eq(c.states("net.link_down"), [], "never up")
    ip(c.ns, "link", "set", "vd", "up")
    c.scan()
    ip(c.ns, "link", "set", "vd", "down")
    c.wait_events("net.link_down", 1)
    eq(c.states("net.link_down"), [("vc", "warning")], "after up")
    c.stop()


def case_expect_up(c):
    """A link named in expect_up is critical when down, seen up or not."""
    c.pair("vc", "vd", up=(True, False))
    c.start()
    c.wait_events("net.link_down", 1)
    eq(c.states("net.link_down"), [("vc", "critical")], "expected up")
    assert "expected up" in c.ev("net.link_down")[0]["summary"]
    c.stop()


def case_admin_down(c):
    """Taking a link down by hand is no alert for it (its peer does lose
    its carrier, as a switch port would); up again clears the peer."""
    c.pair("va", "vb")
    c.start()
    ip(c.ns, "link", "set", "va", "down")
    c.wait_events("net.link_down", 1)
    c.scan()
    ip(c.ns, "link", "set", "va", "up")
    c.wait_events("net.link_down", 2)
    c.scan()
    eq(c.states("net.link_down"), [("vb", "warning"), ("vb", "ok")],
       "admin down and up")
    c.stop()


def case_flapping(c):
    """20 carrier losses in a few seconds: one net.flapping raise (warning
    at 3, critical at 10), net.link_down held while it flaps; a link that
    then stays down is reported once it has settled (flap_settle 2 s)."""
    c.pair("va", "vb")
    c.start()
    for _ in range(20):
        ip(c.ns, "link", "set", "vb", "down")
        time.sleep(0.03)
        ip(c.ns, "link", "set", "vb", "up")
        time.sleep(0.03)
    c.wait_events("net.flapping", 2, "va")
    c.scan()
    eq(c.states("net.flapping"), [("va", "warning"), ("va", "critical")],
       "flapping events (vb is toggled by hand: no flapping)")
    held = c.states("net.link_down")
    if len(held) > 4 or any(n != "va" for n, _ in held):
        raise AssertionError("link_down not held while flapping: %r" % held)
    time.sleep(2.2)
    c.scan()
    before = len(c.ev("net.link_down"))
    if held and held[-1][1] != "ok":
        c.wait_events("net.link_down", before + 1, timeout=4)
        before += 1
    ip(c.ns, "link", "set", "vb", "down")
    t0 = time.time()
    c.wait_events("net.link_down", before + 1, timeout=6)
    waited = time.time() - t0
    eq(c.ev("net.link_down")[-1]["state"], "warning", "down after storm")
    if waited < 1.5:
        raise AssertionError("reported %.2f s after the storm, before "
                             "flap_settle" % waited)
    c.stop()


def case_rename_mtu(c):
    """A rename and an MTU change are no events for the link; it keeps its
    id and later events carry the new name and MTU."""
    c.pair("va", "vb")
    c.start()
    ip(c.ns, "link", "set", "vb", "down")
    c.wait_events("net.link_down", 1)
    first = c.ev("net.link_down")[0]["entity"]
    ip(c.ns, "link", "set", "vb", "up")
    c.wait_events("net.link_down", 2)
    ip(c.ns, "link", "set", "va", "down")
    ip(c.ns, "link", "set", "va", "name", "wan0", "mtu", "9000")
    ip(c.ns, "link", "set", "wan0", "up")
    c.wait_events("net.link_down", 4)	# the peer saw it go and come
    c.scan()
    eq(c.states("net.link_down")[2:], [("vb", "warning"), ("vb", "ok")],
       "events while renaming")
    ip(c.ns, "link", "set", "vb", "down")
    c.wait_events("net.link_down", 5)
    e = c.ev("net.link_down")[4]["entity"]
    eq((e["id"], e["name"], e["labels"]["kernel_name"], e["labels"]["mtu"]),
       (first["id"], "wan0", "wan0", "9000"), "renamed entity")
    assert "'va' is now 'wan0'" in open(c.log).read()
    c.stop()


def case_delete(c):
    """Deleting a virtual link clears what it had raised; nothing new."""
    c.pair("va", "vb")
    c.start()
    ip(c.ns, "link", "set", "vb", "down")
    c.wait_events("net.link_down", 1)
    ip(c.ns, "link", "del", "va")
    c.wait_events("net.link_down", 2)
    e = c.ev("net.link_down")[1]
    eq((e["entity"]["name"], e["state"]), ("va", "ok"), "deleted")
    c.scan()
    eq(len(c.all_events()), 2, "nothing after the deletion")
    c.stop()


def case_include_exclude(c):
    """exclude = kind:veth leaves veths out; include names one back in."""
    c.pair("va", "vb")
    c.pair("vx", "vy")
    c.start()
    ip(c.ns, "link", "set", "vb", "down")
    ip(c.ns, "link", "set", "vy", "down")
    c.wait_events("net.link_down", 1)
    c.scan()
    eq(c.states("net.link_down"), [("vx", "warning")], "only vx watched")
    eq(sorted({e["entity"]["name"] for e in c.all_events()
               if e["entity"]["kind"] == "nic"}), ["vx"], "entities")
    c.stop()


def case_restart(c):
    """A link seen up before a restart and down after it is reported."""
    c.pair("va", "vb")
    c.start()
    c.stop()
    ip(c.ns, "link", "set", "vb", "down")
    c.start()
    c.wait_events("net.link_down", 1)
    eq(c.states("net.link_down"), [("va", "warning")], "after restart")
    c.stop()


SEND = """
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("va", 0))
frame = b"\\xff" * 6 + b"\\x02" + b"\\0" * 5 + b"\\x88\\xb5" + b"\\0" * 46
for _ in range(int(sys.argv[1])):
    s.send(frame)
"""


def case_drops(c):
    """Frames of a protocol nobody handles reach vb and are dropped there:
    net.drops on vb (half its packets), nothing on va or for errors; a
    quiet window after it counts nothing new."""
    c.pair("va", "vb")
    c.start()
    subprocess.run(["ip", "netns", "exec", c.ns, sys.executable, "-c", SEND,
                    "200"], check=True)
    c.scan()
    d = c.ev("net.drops")
    eq([(e["entity"]["name"], e["state"]) for e in d], [("vb", "critical")],
       "drops")
    eq(d[0]["details"]["drops"], 200, "dropped frames counted")
    eq(c.ev("net.errors"), [], "no errors")
    c.stop()


def case_enobufs(c):
    """Notifications overflow the socket while the daemon is stopped: it
    reads ENOBUFS as lost state, dumps every link again, and a link deleted
    meanwhile is reported (its condition cleared), once."""
    c.pair("va", "vb")
    batch = os.path.join(c.dir, "batch")
    with open(batch, "w") as f:
        for i in range(100):
            f.write("link add x%d type veth peer name y%d\n" % (i, i))
    subprocess.run(["ip", "-n", c.ns, "-batch", batch], check=True)
    c.start()
    ip(c.ns, "link", "set", "vb", "down")
    c.wait_events("net.link_down", 1)
    c.proc.send_signal(signal.SIGSTOP)
    with open(batch, "w") as f:
        for k in range(40):
            for i in range(100):
                f.write("link set x%d mtu %d\n" % (i, 1400 + k % 2))
    subprocess.run(["ip", "-n", c.ns, "-batch", batch], check=True)
    ip(c.ns, "link", "del", "va")
    c.proc.send_signal(signal.SIGCONT)
    c.wait(lambda: c.count_log("ENOBUFS") > 0, "ENOBUFS", 10)
    c.wait_events("net.link_down", 2)
    c.scan()
    eq(c.states("net.link_down"), [("va", "warning"), ("va", "ok")],
       "the deletion seen through the re-dump")
    c.stop()


CASES = [
    ("carrier_loss", case_carrier_loss, ""),
    ("never_up", case_never_up, ""),
    ("expect_up", case_expect_up, "expect_up = vc\n"),
    ("admin_down", case_admin_down, ""),
    ("flapping", case_flapping, ""),
    ("rename_mtu", case_rename_mtu, ""),
    ("delete", case_delete, ""),
    ("include_exclude", case_include_exclude,
     "exclude = kind:veth\ninclude = vx\n"),
    ("restart", case_restart, ""),
    ("drops", case_drops, ""),
    ("enobufs", case_enobufs, ""),
]


def main():
    passed = failed = 0
    if os.geteuid() != 0:
        print("not root: network namespaces cannot be made; skipped")
        print("0 passed, 0 failed")
        return 0
    probe = tempfile.NamedTemporaryFile("w", suffix=".conf")
    probe.write("[net]\n")
    probe.flush()
    if subprocess.run([BIN, "--check-config", "-c", probe.name],
                      capture_output=True).returncode != 0:
        print("forewarnd has no net collector (built without libmnl)")
        print("0 passed, 0 failed")
        return 0
    for name, fn, extra in CASES:
        if ONLY and name not in ONLY:
            continue
        c = Case(name, extra)
        t0 = time.time()
        try:
            fn(c)
            passed += 1
            print("ok   %s (%.1f s)" % (name, time.time() - t0))
        except Exception as ex:  # report and go on
            failed += 1
            print("FAIL %s: %s" % (name, ex))
            try:
                print(open(c.log).read()[-3000:])
            except OSError:
                pass
        finally:
            c.cleanup()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


sys.exit(main())
