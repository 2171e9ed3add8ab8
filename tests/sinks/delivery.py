#!/usr/bin/env python3
"""Delivery under faults, with the real daemon on a fixture root:

- a sink that is down for a while (answers 503), the agent killed with -9
  while events wait for it, restarted after the sink is back: every event
  accepted is delivered, exactly as recorded and in order, none twice
  beyond at-least-once's one retry of the event in flight;
- a sink that takes one byte per second does not hold up another sink: the
  real Alertmanager beside it has each alert at once.

    tests/sinks/delivery.py path/to/forewarnd
"""
import http.server
import json
import os
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    BASE_CONF, Alertmanager, Daemon, check, cleanup, report, serve,
    wait_until)


class Receiver(http.server.BaseHTTPRequestHandler):
    """Answers 503 while server.down, else records the alerts and says 200."""

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        if self.server.down:
            self.send_response(503)
            self.end_headers()
            return
        self.server.bodies.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def receiver():
    return serve(Receiver, threading_=True, down=True, bodies=[])


def slow_listener():
    """Accepts, then reads one byte a second and never answers."""
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(8)

    def accepting():
        while True:
            try:
                c, _ = lst.accept()
            except OSError:
                return

            def trickle(c=c):
                try:
                    while c.recv(1):
                        time.sleep(1)
                except OSError:
                    pass
            threading.Thread(target=trickle, daemon=True).start()
    threading.Thread(target=accepting, daemon=True).start()
    return lst


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp()
    recv = receiver()
    slow = slow_listener()
    am = Alertmanager(work, "am")
    conf = (BASE_CONF % "delivery-test" +
            "[sink:recv]\ntype = alertmanager\nheartbeat = no\n"
            "resend = 1h\nurl = http://127.0.0.1:%d\n"
            "[sink:slow]\ntype = alertmanager\nheartbeat = no\n"
            "resend = 1h\ntimeout = 30s\nurl = http://127.0.0.1:%d\n"
            "[sink:am]\ntype = alertmanager\nresend = 1h\n"
            "url = http://127.0.0.1:%d\n"
            "[sink:out]\ntype = stdout\n" % (
                recv.server_port, slow.getsockname()[1], am.port))
    d = Daemon(binary, work, conf)
    try:
        check(am.start(), "Alertmanager on loopback")
        check(d.start(), "the daemon runs: a dead sink, a slow one, "
              "Alertmanager and stdout")
        # Six state changes while 'recv' answers 503 and 'slow' is stuck
        # on its first POST.
        for i, kb in enumerate((600000, 100000, 4000000, 600000, 100000,
                                4000000)):
            d.meminfo(kb)
            d.scan()
            if i == 0:
                t0 = time.time()
                got = wait_until(lambda: am.alerts(), 5)
                check(got, "Alertmanager has the alert beside the stalled "
                      "sink (%.1f s)" % (time.time() - t0))
        got = wait_until(lambda: len([l for l in open(os.path.join(
            work, "events.jsonl")) if "host.memory" in l]) >= 6, 10)
        check(got, "six host.memory events were accepted (stdout sink)")
        time.sleep(1)
        d.proc.kill()
        d.proc.wait()
        d.proc = None
        check(recv.bodies == [], "nothing reached the dead sink yet")
        recorded = [json.loads(l) for l in open(os.path.join(
            work, "events.jsonl")) if '"host.memory"' in l]
        recv.down = False
        d.start()
        delivered = wait_until(lambda: len([b for b in recv.bodies
                                            if b]) >= 6 and recv.bodies, 20)
        # Each delivery carries its event's alert as the last element.
        states = [b[-1]["annotations"]["state"] for b in recv.bodies
                  if b and b[-1]["labels"]["alertname"] == "host.memory"]
        fps = {b[-1]["annotations"]["fingerprint"] for b in recv.bodies
               if b and b[-1]["labels"]["alertname"] == "host.memory"}
        want = [e["state"] for e in recorded]
        check(delivered and states[-len(want):] == want and
              len(states) <= len(want) + 1,
              "after kill -9 and a restart every accepted event arrived, in "
              "order: %s (recorded %s)" % (states, want))
        check(fps == {recorded[0]["fingerprint"]},
              "each carries the condition's fingerprint")
        log = d.text()
        check("sink 'recv': delivery of event" in log,
              "the dead sink's failures were logged")
        check(d.proc.poll() is None, "the daemon is running")
    finally:
        d.stop()
        am.stop()
        recv.shutdown()
        slow.close()
        cleanup(work)
    return report()


if __name__ == "__main__":
    sys.exit(main())
