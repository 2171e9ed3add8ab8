#!/usr/bin/env python3
"""The Alertmanager sink against two real Alertmanager instances (Debian's
prometheus-alertmanager) on loopback, plus a stand-in answering 400 and
one answering 503, with the real daemon on a fixture root:

- a raised condition is an active alert on both instances, with the
  labels and annotations the docs promise;
- an escalation replaces the alert (the old severity's label set is ended,
  not left to linger);
- an instance restarted with empty storage has the alert again within the
  resend interval;
- the daemon restarted (with an instance that lost everything meanwhile)
  sends the active set again from its store;
- the recovery resolves the alert on both;
- a 400 is not retried: the event is rejected once and the sink moves on;
  a 503 is retried.

    tests/sinks/alertmanager.py path/to/forewarnd
"""
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
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


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(pred, timeout=15.0, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


class Alertmanager:
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

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def alerts(self, name="host.memory"):
        try:
            with urllib.request.urlopen(
                    "http://127.0.0.1:%d/api/v2/alerts" % self.port,
                    timeout=2) as r:
                got = json.load(r)
        except OSError:
            return []
        return [a for a in got if a["labels"].get("alertname") == name and
                a["status"]["state"] == "active"]


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
    srv = http.server.HTTPServer(("127.0.0.1", 0), StandIn)
    srv.status = status
    srv.bodies = []
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class Daemon:
    def __init__(self, binary, work, conf):
        self.bin = binary
        self.work = work
        self.root = os.path.join(work, "root")
        shutil.copytree(FIXTURE, self.root, symlinks=True)
        self.conf = os.path.join(work, "fw.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
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
             os.path.join(self.work, "state"), "-vv"],
            stdout=self.events, stderr=self.log)
        return wait_until(lambda: self.count("started on") > started and
                          self.count("collector 'host' polled") > polled, 10)

    def text(self):
        with open(self.logpath, errors="replace") as f:
            return f.read()

    def count(self, pattern):
        import re
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

    def stop(self):
        if self.proc:
            self.proc.terminate()
            rc = self.proc.wait(10)
            self.proc = None
            return rc
        return 0


def main():
    binary = os.path.abspath(sys.argv[1])
    if not check(AM_BIN is not None, "prometheus-alertmanager is installed "
                 "(make deps)"):
        print("0 passed, 1 failed")
        return 1
    work = tempfile.mkdtemp()
    am1, am2 = Alertmanager(work, "am1"), Alertmanager(work, "am2")
    bad, busy = stand_in(400), stand_in(503)
    conf = ("[agent]\nhost = am-test\n[host]\ninterval = 1h\n"
            "[disks]\nenabled = no\n[mdraid]\nenabled = no\n"
            "[hwraid]\nenabled = no\n[kmsg]\nenabled = no\n"
            "[sink:am]\ntype = alertmanager\n"
            "url = http://127.0.0.1:%d http://127.0.0.1:%d/\n"
            "resend = 1s\ntimeout = 2s\n"
            "[sink:bad]\ntype = alertmanager\n"
            "url = http://127.0.0.1:%d\nresend = 1h\n"
            "[sink:busy]\ntype = alertmanager\n"
            "url = http://127.0.0.1:%d\nresend = 1h\n" % (
                am1.port, am2.port, bad.server_port, busy.server_port))
    d = Daemon(binary, work, conf)
    try:
        check(am1.start() and am2.start(), "two Alertmanagers on loopback")
        check(d.start(), "the daemon runs with three alertmanager sinks")
        check(not am1.alerts() and not am2.alerts(),
              "a healthy host: no alert")
        hb = wait_until(lambda: am1.alerts("agent.heartbeat") and
                        am2.alerts("agent.heartbeat"), 10)
        check(hb and hb[0]["labels"].get("host") == "am-test",
              "the heartbeat fires on both instances")

        d.meminfo(600000)
        d.scan()
        got = wait_until(lambda: am1.alerts() and am2.alerts() and
                         (am1.alerts(), am2.alerts()))
        check(got, "host.memory is active on both instances")
        if got:
            a = got[0][0]
            lab = a["labels"]
            check(lab.get("severity") == "warning" and
                  lab.get("host") == "am-test" and
                  lab.get("entity_kind") == "host" and
                  lab.get("entity_name") == "fixture-host",
                  "labels: alertname, severity, host, entity: %s" % lab)
            check("memory available" in a["annotations"].get("summary", "")
                  and json.loads(a["annotations"]["details"])
                  .get("warning") == 10,
                  "annotations: summary and details")

        d.meminfo(100000)
        d.scan()
        got = wait_until(lambda: [a["labels"]["severity"]
                                  for a in am1.alerts()] == ["critical"])
        check(got, "escalated: one active alert, severity critical (the "
              "warning one ended): %s" % [a["labels"]["severity"]
                                          for a in am1.alerts()])

        # The sink answering 503 is itself an alert, carried by the others.
        d.scan(1)
        failing = wait_until(lambda: [a for a in am1.alerts(
            "agent.sink_failing") if a["labels"].get("entity_name") ==
            "sink busy"], 10)
        check(failing, "a sink that cannot deliver is an alert through the "
              "others: %s" % (failing[0]["annotations"]["summary"]
                              if failing else "none"))

        am2.stop()
        am2.start()
        got = wait_until(lambda: am2.alerts(), 10)
        check(got, "an instance restarted empty has it again (resend 1 s)")

        check(d.stop() == 0, "the daemon stops cleanly")
        gone = wait_until(lambda: not am2.alerts("agent.heartbeat"), 12)
        check(gone, "with the agent gone its heartbeat ends (endsAt three "
              "resend intervals ahead): the dead man's switch trips")
        am1.stop()
        am1.start()
        check(not am1.alerts(), "am1 restarted with empty storage")
        d.start()
        got = wait_until(lambda: am1.alerts(), 10)
        check(got and got[0]["labels"]["severity"] == "critical",
              "the restarted daemon sends its active set again")
        check(wait_until(lambda: am1.alerts("agent.heartbeat"), 10),
              "and its heartbeat")

        d.meminfo(4000000)
        d.scan()
        gone = wait_until(lambda: not am1.alerts() and not am2.alerts(), 10)
        check(gone, "recovered: resolved on both instances")

        log = d.text()
        check("sink 'bad' rejected event" in log and
              "refused the alerts (HTTP 400)" in log,
              "a 400 is a rejection, logged with the body")
        rejected = log.count("sink 'bad' rejected event")
        # Each event (host.memory's three, the agent's own) POSTed once;
        # besides them only the start-up re-send (once per start).
        check(rejected >= 3 and len(bad.bodies) <= rejected + 2,
              "not retried: %d POSTs for %d rejected events" %
              (len(bad.bodies), rejected))
        check(len(busy.bodies) > 3 and "sink 'busy': delivery of event"
              in log, "a 503 is retried (%d POSTs)" % len(busy.bodies))
        check(d.proc.poll() is None, "the daemon is running")

        # --test-alert: through every configured sink, with the answer.
        good = stand_in(200)
        tconf = os.path.join(work, "test-alert.conf")
        with open(tconf, "w") as f:
            f.write("[agent]\nhost = am-test\n"
                    "[sink:am]\ntype = alertmanager\n"
                    "url = http://127.0.0.1:%d http://127.0.0.1:%d\n"
                    "[sink:good]\ntype = alertmanager\nheartbeat = no\n"
                    "url = http://127.0.0.1:%d\n"
                    "[sink:bad]\ntype = alertmanager\n"
                    "url = http://127.0.0.1:%d\n" % (
                        am1.port, am2.port, good.server_port,
                        bad.server_port))
        p = subprocess.run([binary, "-c", tconf, "--test-alert"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=60)
        out = p.stdout
        check("sink am: test alert delivered" in out and
              "sink am: its resolution delivered" in out and
              "sink good: test alert delivered" in out and
              "sink bad: test alert REJECTED" in out and p.returncode == 1,
              "--test-alert says per sink what happened (exit %d): %s" %
              (p.returncode, out.strip().replace("\n", "; ")))
        sent = [json.loads(b) for b in good.bodies]
        names = [a["labels"]["alertname"] for b in sent for a in b]
        ends = [a["endsAt"] for b in sent for a in b
                 if a["labels"]["alertname"] == "agent.test_alert"]
        # Raised with endsAt minutes ahead, then resolved with endsAt at
        # the resolution (RFC 3339 UTC strings compare in time order).
        check(len(ends) >= 2 and ends[0] > ends[-1],
              "the test alert was raised, then resolved: endsAt %s" % ends)
        good.shutdown()
    finally:
        d.stop()
        am1.stop()
        am2.stop()
        bad.shutdown()
        busy.shutdown()
        if os.environ.get("FW_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept", work)
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
