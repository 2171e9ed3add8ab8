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
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    AM_BIN, BASE_CONF, Alertmanager, Daemon, check, cleanup, missing, report,
    stand_in, wait_until)


def main():
    binary = os.path.abspath(sys.argv[1])
    if missing(AM_BIN is not None, "prometheus-alertmanager is installed "
               "(make deps)"):
        return 1
    work = tempfile.mkdtemp()
    am1, am2 = Alertmanager(work, "am1"), Alertmanager(work, "am2")
    bad, busy = stand_in(400), stand_in(503)
    conf = (BASE_CONF % "am-test" +
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
        cleanup(work)
    return report()


if __name__ == "__main__":
    sys.exit(main())
