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
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    BASE_CONF, Daemon, Process, check, cleanup, fnv64, missing, report,
    wait_until)

JOURNALD = "/lib/systemd/systemd-journald"


def message_id(code):
    """The derivation docs/alerting.md documents."""
    text = b"forewarn/" + code.encode()
    h0 = fnv64(text)
    h1 = fnv64(text, h0)
    b = bytearray(h0.to_bytes(8, "big") + h1.to_bytes(8, "big"))
    b[6] = (b[6] & 0x0f) | 0x80
    b[8] = (b[8] & 0x3f) | 0x80
    return b.hex()


class Journald(Process):
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
            super().stop()
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


def memory_states(jd):
    return [e.get("FOREWARN_STATE") for e in
            jd.entries("FOREWARN_CHECK=host.memory")]


def main():
    binary = os.path.abspath(sys.argv[1])
    if missing(os.path.exists(JOURNALD) and shutil.which("unshare") and
               os.geteuid() == 0,
               "systemd-journald and unshare are here, and we are root"):
        return 1
    work = tempfile.mkdtemp()
    jd = Journald(work)
    conf = (BASE_CONF % "journal-test" +
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
        cleanup(work)
    return report()


if __name__ == "__main__":
    sys.exit(main())
