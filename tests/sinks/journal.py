#!/usr/bin/env python3
"""The journal sink against a real systemd-journald (Debian's systemd),
started here as a journal namespace in a private mount namespace: the
test's own directories are bind-mounted over /run/systemd and /var/log for
it, so its socket and journal files are in the temp dir and the host's
journal is untouched (journald runs without systemd as PID 1; it needs
root for the mount namespace).  The real daemon runs on a fixture root:

- a raised condition is a journal entry with MESSAGE, MESSAGE_ID (the
  documented derivation from the check code), PRIORITY, SYSLOG_IDENTIFIER
  and every FOREWARN_* field, FOREWARN_EVENT the event as recorded;
- journalctl MESSAGE_ID=... finds every event of that check;
- journald stopped: the daemon runs on and retries; started again: what
  happened meanwhile arrives, in order;
- an event with a multi-line summary (put into the store the way the
  daemon records events) keeps its lines: the binary-safe field form;
- an event larger than a datagram may be arrives whole: the sealed memfd
  passed with SCM_RIGHTS.

    tests/sinks/journal.py path/to/forewarnd
"""
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(here, "..", "fixtures", "host", "ok")
JOURNALD = "/lib/systemd/systemd-journald"

results = []


def check(cond, what):
    results.append(bool(cond))
    print("%s %s" % ("ok  " if cond else "FAIL", what))
    return cond


def wait_until(pred, timeout=15.0, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def fnv64(data, h=0xcbf29ce484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h


def message_id(code):
    """The derivation docs/alerting.md documents."""
    text = b"forewarn/" + code.encode()
    h0 = fnv64(text)
    h1 = fnv64(text, h0)
    b = bytearray(h0.to_bytes(8, "big") + h1.to_bytes(8, "big"))
    b[6] = (b[6] & 0x0f) | 0x80
    b[8] = (b[8] & 0x3f) | 0x80
    return b.hex()


class Journald:
    """systemd-journald for namespace NS with /run/systemd and /var/log
    bind-mounted from the temp dir in a mount namespace of its own."""

    def __init__(self, work):
        self.dir = os.path.join(work, "journald")
        self.ns = "fwtest%d" % os.getpid()
        self.run = os.path.join(self.dir, "run")
        self.var = os.path.join(self.dir, "log")
        os.makedirs(self.run)
        os.makedirs(os.path.join(self.var, "journal"))
        self.socket = os.path.join(self.run, "journal." + self.ns, "socket")
        with open("/etc/machine-id") as f:
            mid = f.read().strip()
        self.files = os.path.join(self.var, "journal", mid + "." + self.ns)
        self.proc = None

    def start(self):
        self.log = open(os.path.join(self.dir, "journald.log"), "a")
        script = ("mount --bind %s /run/systemd && mount --bind %s /var/log "
                  "&& exec %s %s" % (self.run, self.var, JOURNALD, self.ns))
        self.proc = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sh", "-c",
             script], stdout=self.log, stderr=self.log)
        ok = wait_until(lambda: os.path.exists(self.socket) and
                        os.path.isdir(self.files), 10)
        if not ok:
            with open(os.path.join(self.dir, "journald.log")) as f:
                print(f.read()[-2000:])
        return ok

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None
            try:
                os.unlink(self.socket)
            except OSError:
                pass

    def entries(self, *matches):
        p = subprocess.run(
            ["journalctl", "--directory", self.files, "-o", "json", "--all",
             "--no-pager", "SYSLOG_IDENTIFIER=forewarnd"] + list(matches),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out = []
        for line in p.stdout.decode(errors="replace").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out


class Daemon:
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
        self.proc = subprocess.Popen(
            [self.bin, "-c", self.conf, "--root", self.root, "--state-dir",
             self.state, "-vv"],
            stdout=subprocess.DEVNULL, stderr=self.log)
        return wait_until(lambda: self.count("started on") > 0 and
                          self.count("collector 'host' polled") > 0, 10)

    def text(self):
        with open(self.logpath, errors="replace") as f:
            return f.read()

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
        db = sqlite3.connect(os.path.join(self.state, "state.db"))
        rows = db.execute("SELECT json FROM events ORDER BY seq").fetchall()
        db.close()
        return [r[0] for r in rows]

    def inject(self, change):
        """Record an event as the daemon does (while it is stopped): the
        newest one, changed, with its checksum."""
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

    def stop(self):
        if self.proc:
            self.proc.terminate()
            rc = self.proc.wait(10)
            self.proc = None
            return rc
        return 0


def memory_states(jd):
    return [e.get("FOREWARN_STATE") for e in
            jd.entries("FOREWARN_CHECK=host.memory")]


def main():
    binary = os.path.abspath(sys.argv[1])
    if not check(os.path.exists(JOURNALD) and shutil.which("unshare") and
                 os.geteuid() == 0,
                 "systemd-journald and unshare are here, and we are root"):
        print("0 passed, 1 failed")
        return 1
    work = tempfile.mkdtemp()
    jd = Journald(work)
    conf = ("[agent]\nhost = journal-test\n[host]\ninterval = 1h\n"
            "[disks]\nenabled = no\n[mdraid]\nenabled = no\n"
            "[hwraid]\nenabled = no\n[kmsg]\nenabled = no\n"
            "[sink:journal]\ntype = journal\nsocket = %s\n" % jd.socket)
    d = Daemon(binary, work, conf)
    try:
        check(jd.start(), "systemd-journald (namespace %s) in a mount "
              "namespace of its own" % jd.ns)
        check(d.start(), "the daemon runs with a journal sink")

        d.meminfo(600000)
        d.scan()
        got = wait_until(lambda: jd.entries("FOREWARN_CHECK=host.memory"))
        check(got, "host.memory is in the journal")
        if got:
            e = got[0]
            want = {"MESSAGE_ID": message_id("host.memory"),
                    "PRIORITY": "4", "SYSLOG_IDENTIFIER": "forewarnd",
                    "FOREWARN_STATE": "warning", "FOREWARN_PREVIOUS": "ok",
                    "FOREWARN_HOST": "journal-test",
                    "FOREWARN_ENTITY_KIND": "host",
                    "FOREWARN_ENTITY_NAME": "fixture-host"}
            check(all(e.get(k) == v for k, v in want.items()),
                  "fields: %s" % {k: e.get(k) for k in want})
            check("memory available" in e.get("MESSAGE", ""),
                  "MESSAGE is the summary: %s" % e.get("MESSAGE"))
            ev = json.loads(e.get("FOREWARN_EVENT", "null") or "null")
            rec = [json.loads(t) for t in d.recorded()
                   if json.loads(t)["check"] == "host.memory"]
            check(ev is not None and rec and ev == rec[0] and
                  e.get("FOREWARN_FINGERPRINT") == ev["fingerprint"] and
                  e.get("FOREWARN_ENTITY_ID") == ev["entity"]["id"] and
                  int(e.get("_PID", 0)) == d.proc.pid,
                  "FOREWARN_EVENT is the event as recorded; fingerprint, "
                  "entity id and _PID match")

        d.meminfo(100000)
        d.scan()
        got = wait_until(lambda: memory_states(jd) == ["warning",
                                                       "critical"])
        check(got and jd.entries("MESSAGE_ID=" + message_id(
            "host.memory"))[-1].get("PRIORITY") == "2",
              "escalated: PRIORITY 2; journalctl MESSAGE_ID=... finds both "
              "events of the check (%d)" % len(jd.entries(
                  "MESSAGE_ID=" + message_id("host.memory"))))

        jd.stop()
        d.meminfo(4000000)
        d.scan()
        time.sleep(1.5)
        check(d.proc.poll() is None and
              "sink 'journal': delivery of event" in d.text(),
              "journald stopped: the daemon runs on and retries")
        check(jd.start(), "journald started again")
        got = wait_until(lambda: memory_states(jd) ==
                         ["warning", "critical", "ok"], 20)
        check(got and jd.entries("FOREWARN_CHECK=host.memory")[-1].get(
            "PRIORITY") == "6", "the recovery arrived after the restart, "
              "in order, PRIORITY 6: %s" % memory_states(jd))

        check(d.stop() == 0, "the daemon stops cleanly")
        summary = "first line\nsecond line\n\tthird, indented \u00e9"

        def multi(ev):
            ev["check"] = "test.multiline"
            ev["summary"] = summary

        d.inject(multi)
        big_size = 300000
        try:
            with open("/proc/sys/net/core/wmem_default") as f:
                big_size = max(big_size, int(f.read()) + 50000)
        except (OSError, ValueError):
            pass

        def big(ev):
            ev["check"] = "test.large"
            ev["details"] = {"blob": "x" * big_size}

        big_text = d.inject(big)
        check(d.start(), "the daemon restarted with a multi-line and a "
              "%d-byte event queued" % len(big_text))
        got = wait_until(lambda: jd.entries("FOREWARN_CHECK=test.multiline")
                         and jd.entries("FOREWARN_CHECK=test.large"), 15)
        check(got, "both arrived")
        m = jd.entries("FOREWARN_CHECK=test.multiline")
        check(m and m[0].get("MESSAGE") == summary,
              "the multi-line MESSAGE is intact: %r" % (
                  m[0].get("MESSAGE") if m else None))
        b = jd.entries("FOREWARN_CHECK=test.large")
        check(b and b[0].get("FOREWARN_EVENT") == big_text and
              re.search(r"sink 'journal': event \d+ \(\d+ bytes\) through "
                        "a memfd", d.text()),
              "the large event is whole (%d bytes, beyond a datagram: "
              "the memfd path)" % len(b[0].get("FOREWARN_EVENT") or ""
                                      if b else 0))
        check(d.proc.poll() is None, "the daemon is running")
    finally:
        d.stop()
        jd.stop()
        if os.environ.get("FW_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept", work)
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
