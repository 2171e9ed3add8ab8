#!/usr/bin/env python3
"""Privilege separation of the real daemon, started as root: with its user
present the main process runs as that user with no capabilities (or only
those its configuration needs), the privileged spawner stays root with the
device capabilities only, the state directory becomes the user's and the
pid file comes and goes; with no such user the daemon runs on as root and
says why, once.  A temporary system user with a name of its own is created
and removed again, so a real 'forewarn' user is never touched.

    privsep.py path/to/forewarnd FIXTURE_ROOT
Prints 'N passed, N failed'; skips (0 passed) when not root."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

binary, fixture = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
passed = failed = 0
CAP_NET_ADMIN, CAP_NET_BIND_SERVICE = 12, 10
CAP_SYS_RAWIO, CAP_SYS_ADMIN = 17, 21


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s" % what, flush=True)


def status(pid):
    """/proc/PID/status as a dict, or {} when it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f
                        if ":\t" in line)
    except OSError:
        return {}


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def wait_for(pred, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


class Daemon:
    def __init__(self, tmp, name, conf_text, wrap=()):
        self.dir = os.path.join(tmp, name)
        os.mkdir(self.dir)
        self.conf = os.path.join(self.dir, "forewarn.conf")
        with open(self.conf, "w") as f:
            f.write(conf_text)
        self.log = os.path.join(self.dir, "err")
        self.state = os.path.join(self.dir, "state")
        self.pid_file = os.path.join(self.dir, "forewarnd.pid")
        with open(self.log, "w") as err:
            self.p = subprocess.Popen(
                list(wrap) + [binary, "-c", self.conf, "--root", root,
                              "--state-dir", self.state, "--pid-file",
                              self.pid_file],
                stdout=subprocess.DEVNULL, stderr=err)

    def started(self):
        return wait_for(lambda: " started on " in read(self.log) and
                        read(self.pid_file).endswith("\n"))

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return -1


def built(collector):
    """Whether this build has the collector (build switches leave some out)."""
    conf = os.path.join(tmp, "probe-%s.conf" % collector)
    with open(conf, "w") as f:
        f.write("[%s]\nenabled = no\n" % collector)
    return subprocess.run([binary, "--check-config", "-c", conf],
                          capture_output=True).returncode == 0


def off(*collectors):
    """Sections switching off those of the collectors this build has."""
    return "".join("[%s]\nenabled = no\n" % c for c in collectors
                   if built(c))


def free_low_port():
    for port in range(1023, 600, -1):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    return None


def with_user(tmp, user, uid):
    # Only the disk-free collectors the fixture has; no kmsg, no net: the
    # main process then needs no capability at all.
    conf = "[agent]\nhost = privsep-test\nuser = %s\n" % user + \
        off("kmsg", "net")
    d = Daemon(tmp, "user", conf)
    check(d.started(), "the daemon starts and writes its pid file")
    pid = int(read(d.pid_file) or 0)
    check(pid == d.p.pid, "the pid file names the main process (%d, %d)" %
          (pid, d.p.pid))
    st = status(d.p.pid)
    check(st.get("Uid", "").split() == [str(uid)] * 4,
          "the main process runs as %s: Uid %s" % (user, st.get("Uid")))
    check(st.get("Gid", "").split()[:1] != ["0"], "and not in group root")
    check(int(st.get("CapEff", "1"), 16) == 0 and
          int(st.get("CapPrm", "1"), 16) == 0 and
          int(st.get("CapInh", "1"), 16) == 0,
          "with no capabilities: CapEff %s CapPrm %s" %
          (st.get("CapEff"), st.get("CapPrm")))
    check(st.get("NoNewPrivs") == "1", "and no new privileges by exec")
    print("  main process: Uid %s CapEff %s" % (st.get("Uid"),
                                                  st.get("CapEff")))
    priv = [c for c in children(d.p.pid)
            if status(c).get("Name") == "forewarnd-priv"]
    check(len(priv) == 1, "one privileged spawner under it: %s" % priv)
    if priv:
        ps = status(priv[0])
        eff = int(ps.get("CapEff", "0"), 16)
        check(ps.get("Uid", "").split()[:1] == ["0"], "the spawner is root")
        check(eff & ~((1 << CAP_SYS_RAWIO) | (1 << CAP_SYS_ADMIN)) == 0 and
              eff != 0, "with the device capabilities only: CapEff %s" %
              ps.get("CapEff"))
        print("  spawner: Uid %s CapEff %s" % (ps.get("Uid"),
                                               ps.get("CapEff")))
    check(os.stat(d.state).st_uid == uid, "the state directory is the user's")
    check(all(os.stat(os.path.join(d.state, f)).st_uid == uid
              for f in os.listdir(d.state)), "and every file in it")
    check("running as '%s' (uid %d), capabilities: none" % (user, uid) in
          read(d.log), "the log says whom it runs as")
    # A reload re-reads the files as the user and keeps running; what only
    # a restart can change is said.
    with open(d.conf, "w") as f:
        f.write("[agent]\nhost = privsep-test\nuser = root\n" +
                off("kmsg"))
    d.p.send_signal(signal.SIGHUP)
    check(wait_for(lambda: "configuration reloaded" in read(d.log)),
          "SIGHUP reloads as the user")
    check(d.p.poll() is None, "still running after the reload")
    check("[agent] user is now 'root': the daemon runs as '%s' until it is "
          "restarted" % user in read(d.log), "a new user waits for a restart")
    if built("net"):
        check("needs CAP_NET_ADMIN, which only a restart gives" in
              read(d.log), "so does a capability the new net section needs")
    check(int(status(d.p.pid).get("CapEff", "1"), 16) == 0,
          "and the reload gave the main process nothing")
    rc = d.stop()
    check(rc == 0, "SIGTERM: exit 0 (got %s)" % rc)
    check(wait_for(lambda: not os.path.exists(d.pid_file), 5),
          "the pid file is removed at exit")
    if priv:
        check(wait_for(lambda: not status(priv[0]), 5),
              "the spawner is gone with it")


def with_listener(tmp, user, uid):
    """Capabilities the configuration needs, and only those."""
    port = free_low_port()
    if port is None:
        return
    conf = ("[agent]\nhost = privsep-test\nuser = %s\n" % user + off("kmsg") +
            "[sink:prom]\ntype = prometheus\nlisten = 127.0.0.1:%d\n" % port)
    d = Daemon(tmp, "listener", conf)
    check(d.started(), "the daemon with a listener on port %d starts" % port)
    st = status(d.p.pid)
    eff = int(st.get("CapEff", "0"), 16)
    want = 1 << CAP_NET_BIND_SERVICE
    if built("net"):	# module EEPROM reads
        want |= 1 << CAP_NET_ADMIN
    check(eff == want, "CapEff %s: CAP_NET_BIND_SERVICE for the port "
          "(and CAP_NET_ADMIN for the net collector), nothing else" %
          st.get("CapEff"))
    print("  main process with a listener on %d: CapEff %s" %
          (port, st.get("CapEff")))
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port,
                                    timeout=5) as r:
            ok = r.status == 200
    except OSError:
        ok = False
    check(ok, "the unprivileged process serves /metrics on port %d" % port)
    check(d.stop() == 0, "and stops cleanly")


def unit_bounding_set():
    """The packaged unit's CapabilityBoundingSet, as setpriv takes it."""
    unit = os.path.join(here, "..", "..", "packaging", "systemd",
                        "forewarnd.service")
    with open(unit) as f:
        for line in f:
            if line.startswith("CapabilityBoundingSet="):
                caps = line.split("=", 1)[1].split()
                return "-all," + ",".join("+" + c[4:].lower() for c in caps)
    return None


def under_unit(tmp, user, uid):
    """Within the unit's bounding set (no CAP_SETPCAP, no low ports)."""
    bset = unit_bounding_set()
    if bset is None or shutil.which("setpriv") is None:
        return
    conf = ("[agent]\nhost = privsep-test\nuser = %s\n" % user +
            off("kmsg", "net"))
    d = Daemon(tmp, "unit", conf, ["setpriv", "--bounding-set", bset])
    check(d.started(), "the daemon starts within the unit's bounding set")
    st = status(d.p.pid)
    check(st.get("Uid", "").split()[:1] == [str(uid)] and
          int(st.get("CapEff", "1"), 16) == 0,
          "and drops there: Uid %s CapEff %s" % (st.get("Uid"),
                                                 st.get("CapEff")))
    priv = [c for c in children(d.p.pid)
            if status(c).get("Name") == "forewarnd-priv"]
    if priv:
        eff = int(status(priv[0]).get("CapEff", "0"), 16)
        check(eff == (1 << CAP_SYS_RAWIO) | (1 << CAP_SYS_ADMIN),
              "the spawner keeps the device capabilities: CapEff %x" % eff)
    check(d.stop() == 0, "and stops cleanly")
    if not built("net"):
        return
    # A capability the configuration needs but the bounding set lacks.
    conf = "[agent]\nhost = privsep-test\nuser = %s\n" % user + off("kmsg")
    d = Daemon(tmp, "bounded", conf, ["setpriv", "--bounding-set",
                                      "-net_admin"])
    check(d.started(), "the daemon starts without CAP_NET_ADMIN to keep")
    check("needs CAP_NET_ADMIN, which this process was not given" in
          read(d.log), "and says the net collector lacks it")
    check(int(status(d.p.pid).get("CapEff", "1"), 16) == 0,
          "holding nothing")
    check(d.stop() == 0, "and stops cleanly")


def fixture_default(tmp):
    """--root (a fixture tree) takes only a user configured outright."""
    d = Daemon(tmp, "fixture", "[agent]\nhost = privsep-test\n")
    check(d.started(), "on a fixture root with no [agent] user it starts")
    check(status(d.p.pid).get("Uid", "").split()[:1] == ["0"] and
          "--root without [agent] user: running as root" in read(d.log),
          "as root, and says why")
    check(d.stop() == 0, "SIGTERM: exit 0")


def without_user(tmp):
    missing = "fw-no-such-user-%d" % os.getpid()
    conf = "[agent]\nhost = privsep-test\nuser = %s\n" % missing
    d = Daemon(tmp, "nouser", conf)
    check(d.started(), "with no such user the daemon starts anyway")
    time.sleep(0.5)
    check(d.p.poll() is None, "and keeps running")
    st = status(d.p.pid)
    check(st.get("Uid", "").split()[:1] == ["0"], "as root")
    log = read(d.log)
    want = "user '%s' does not exist: running as root" % missing
    check(log.count(want) == 1, "and says why, once")
    check(not any(status(c).get("Name") == "forewarnd-priv"
                  for c in children(d.p.pid)), "with no spawner")
    check(d.stop() == 0, "SIGTERM: exit 0")
    check(not os.path.exists(d.pid_file), "its pid file removed too")


def one_shot(tmp, user):
    conf = os.path.join(tmp, "once.conf")
    with open(conf, "w") as f:
        f.write("[agent]\nhost = privsep-test\nuser = %s\n" % user)
    r = subprocess.run([binary, "-c", conf, "--root", root, "--once"],
                       capture_output=True, text=True)
    check(r.returncode == 0, "--once runs as root with the user present "
          "(exit %d)" % r.returncode)
    r = subprocess.run([binary, "-c", conf, "--check-config"],
                       capture_output=True, text=True)
    check(r.returncode == 0 and "user = %s" % user in r.stdout,
          "--check-config shows the user")
    r = subprocess.run([binary, "--once", "--pid-file", "/nonexistent/x"],
                       capture_output=True, text=True)
    check(r.returncode == 3, "--pid-file goes with the daemon only")


if os.geteuid() != 0:
    print("privsep: not root, skipped")
    print("0 passed, 0 failed")
    sys.exit(0)

tmp = tempfile.mkdtemp(prefix="fw-privsep.")
os.chmod(tmp, 0o755)		# the unprivileged daemon reads the fixture
root = os.path.join(tmp, "root")
shutil.copytree(fixture, root)
user = "fwps%d" % os.getpid()
made = subprocess.run(["useradd", "--system", "--no-create-home",
                       "--user-group", "--shell", "/usr/sbin/nologin", user],
                      capture_output=True, text=True)
try:
    if made.returncode != 0:
        check(False, "useradd %s: %s" % (user, made.stderr.strip()))
    else:
        import pwd
        uid = pwd.getpwnam(user).pw_uid
        with_user(tmp, user, uid)
        with_listener(tmp, user, uid)
        under_unit(tmp, user, uid)
        one_shot(tmp, user)
    without_user(tmp)
    fixture_default(tmp)
finally:
    if made.returncode == 0:
        subprocess.run(["userdel", user], capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
