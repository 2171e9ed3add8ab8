"""What the sink tests share (not a test itself: run.sh skips it): the
check list, waiting, free ports, the real daemon on a copy of a fixture
root, Alertmanager on loopback and a stand-in HTTP server.

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from harness import Daemon, check, report, wait_until
"""
import http.server
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(here, "..", "fixtures", "host", "ok")
AM_BIN = shutil.which("prometheus-alertmanager")

results = []


def check(cond, what):
    results.append(bool(cond))
    print("%s %s" % ("ok  " if cond else "FAIL", what))
    return cond


def report():
    """Prints "N passed, N failed"; the exit status for sys.exit."""
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if all(results) else 1


def missing(cond, what):
    """A tool the test needs: checked; if absent, the one failure printed.
    True when the test cannot run."""
    if check(cond, what):
        return False
    print("0 passed, 1 failed")
    return True


def wait_until(pred, timeout=15.0, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cleanup(work):
    """The temp dir removed, or kept (and named) with FW_KEEP=1."""
    if os.environ.get("FW_KEEP") != "1":
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("kept", work)


def fnv64(data, h=0xcbf29ce484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h


# Every test's configuration starts so: one host collector, scanned only
# on SIGUSR1, the others off.
BASE_CONF = ("[agent]\nhost = %s\n[host]\ninterval = 1h\n"
             "[disks]\nenabled = no\n[mdraid]\nenabled = no\n"
             "[hwraid]\nenabled = no\n[kmsg]\nenabled = no\n")


class Process:
    """Something the test started (self.proc, a Popen, while it runs)."""

    proc = None

    def stop(self):
        """Terminated and waited for: its exit status (0 if not running)."""
        if self.proc:
            self.proc.terminate()
            rc = self.proc.wait(10)
            self.proc = None
            return rc
        return 0


class Daemon(Process):
    """The real forewarnd -vv on a copy of the fixture root: its log in
    daemon.log, its stdout (a stdout sink's events) in events.jsonl, its
    store in state/."""

    def __init__(self, binary, work, conf):
        self.bin = binary
        self.work = work
        self.root = os.path.join(work, "root")
        shutil.copytree(FIXTURE, self.root, symlinks=True)
        self.conf = os.path.join(work, "fw.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.state = os.path.join(work, "state")
        self.logpath = os.path.join(work, "daemon.log")
        self.proc = None

    def start(self):
        self.log = open(self.logpath, "a")
        self.events = open(os.path.join(self.work, "events.jsonl"), "a")
        # This start's own lines, not the last run's: SIGUSR1 before the
        # daemon has its signal handling would end it.
        started = self.count("started on")
        polled = self.count("collector 'host' polled")
        self.proc = subprocess.Popen(
            [self.bin, "-c", self.conf, "--root", self.root, "--state-dir",
             self.state, "-vv"],
            stdout=self.events, stderr=self.log)
        return wait_until(lambda: self.count("started on") > started and
                          self.count("collector 'host' polled") > polled, 10)

    def text(self):
        try:
            with open(self.logpath, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def count(self, pattern):
        return len(re.findall(pattern, self.text()))

    def scan(self, times=2):
        """host.memory raises and clears after two results in a row."""
        for _ in range(times):
            n = self.count(r"scan \d+ done")
            self.proc.send_signal(signal.SIGUSR1)
            if not wait_until(lambda: self.count(r"scan \d+ done") > n, 10):
                return False
        return True

    def meminfo(self, kb):
        path = os.path.join(self.root, "proc", "meminfo")
        with open(path) as f:
            lines = f.readlines()
        with open(path, "w") as f:
            for line in lines:
                if line.startswith("MemAvailable:"):
                    line = "MemAvailable:    %d kB\n" % kb
                f.write(line)

    def recorded(self):
        """The events in the store, as recorded, oldest first."""
        db = sqlite3.connect(os.path.join(self.state, "state.db"))
        rows = db.execute("SELECT json FROM events ORDER BY seq").fetchall()
        db.close()
        return [r[0] for r in rows]

    def inject(self, change):
        """Record an event as the daemon does (while it is stopped): the
        newest one, changed, with its checksum.  Returns its text."""
        db = sqlite3.connect(os.path.join(self.state, "state.db"))
        (text,) = db.execute("SELECT json FROM events ORDER BY seq DESC "
                             "LIMIT 1").fetchone()
        ev = json.loads(text)
        change(ev)
        text = json.dumps(ev, separators=(",", ":"), ensure_ascii=False)
        db.execute("INSERT INTO events(time_ms, fingerprint, json, crc) "
                   "VALUES(?,?,?,?)", (int(time.time() * 1000),
                                       ev["fingerprint"], text,
                                       fnv64(text.encode()) & 0xffffffff))
        db.commit()
        db.close()
        return text


class Alertmanager(Process):
    """A real Alertmanager (Debian's prometheus-alertmanager) on a free
    loopback port, no cluster, a receiver that drops everything."""

    def __init__(self, work, name):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir)
        self.port = free_port()
        self.conf = os.path.join(self.dir, "am.yml")
        with open(self.conf, "w") as f:
            f.write("route:\n  receiver: blackhole\n"
                    "receivers:\n  - name: blackhole\n")
        self.proc = None

    def start(self):
        """Started with empty storage; True once it is ready."""
        store = os.path.join(self.dir, "data")
        shutil.rmtree(store, ignore_errors=True)
        self.log = open(os.path.join(self.dir, "log"), "a")
        self.proc = subprocess.Popen(
            [AM_BIN, "--config.file=" + self.conf,
             "--storage.path=" + store,
             "--web.listen-address=127.0.0.1:%d" % self.port,
             "--cluster.listen-address="],
            stdout=self.log, stderr=self.log)
        ok = wait_until(self.ready, 20)
        if not ok:
            print(open(os.path.join(self.dir, "log")).read()[-2000:])
        return ok

    def ready(self):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" %
                                        self.port, timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def alerts(self, name="host.memory"):
        """The active alerts called name."""
        try:
            with urllib.request.urlopen(
                    "http://127.0.0.1:%d/api/v2/alerts" % self.port,
                    timeout=2) as r:
                got = json.load(r)
        except OSError:
            return []
        return [a for a in got if a["labels"].get("alertname") == name and
                a["status"]["state"] == "active"]


def serve(handler, threading_=False, **attrs):
    """An HTTP server on a free loopback port in a thread of its own, with
    attrs set on it for the handler."""
    cls = http.server.ThreadingHTTPServer if threading_ else \
        http.server.HTTPServer
    srv = cls(("127.0.0.1", 0), handler)
    for k, v in attrs.items():
        setattr(srv, k, v)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class StandIn(http.server.BaseHTTPRequestHandler):
    """Answers every POST with the server's status; counts bodies."""

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        self.server.bodies.append(self.rfile.read(n))
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error":"stand-in says no"}')

    def log_message(self, *args):
        pass


def stand_in(status):
    """A stand-in Alertmanager answering status to every POST."""
    return serve(StandIn, status=status, bodies=[])
