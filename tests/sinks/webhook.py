#!/usr/bin/env python3
"""The webhook sink with the real daemon on a fixture root, against
receivers on loopback:

- an Alertmanager-webhook receiver that verifies every body's signature
  with Python's hmac module and the scheme docs/alerting.md documents
  (HMAC-SHA256 over "<timestamp>.<body>", timestamp within 5 minutes),
  and checks the body's shape: firing, escalated, then resolved, with one
  fingerprint and the labels the docs promise;
- a second sink with the wrong secret: its bodies do not verify, the
  receiver answers 401 and the daemon rejects each event once;
- a stand-in of PagerDuty's Events API v2: trigger, trigger (escalated),
  resolve, all with the event's fingerprint as dedup_key, the severities
  mapped, the routing key from its file;
- PagerDuty answering 400 (rejected once, the answer logged) and 429
  (throttled: retried);
- --test-alert through a webhook and a pagerduty sink.

    tests/sinks/webhook.py path/to/forewarnd
"""
import hashlib
import hmac
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    BASE_CONF, Daemon, check, cleanup, report, serve, wait_until)

SECRET = b"s3cret-webhook-key"
WRONG = b"not-the-key"
ROUTING_KEY = "R0123456789abcdef0123456789abcde"
NO_END = "0001-01-01T00:00:00Z"


def verify(headers, body, key):
    """The receiver's side of docs/alerting.md, as a receiver would do it."""
    sig = headers.get("X-Forewarn-Signature", "")
    ts = headers.get("X-Forewarn-Timestamp", "")
    if not sig.startswith("sha256=") or not ts.isdigit():
        return False
    if abs(time.time() - int(ts)) > 300:
        return False        # a replay of an old body
    want = hmac.new(key, ts.encode() + b"." + body,
                    hashlib.sha256).hexdigest()
    return hmac.compare_digest(sig[len("sha256="):], want)


class Receiver(http.server.BaseHTTPRequestHandler):
    """/hook and /wrong verify signatures; /pd, /pd400, /pd429 stand in
    for PagerDuty's Events API v2."""

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        path = self.path
        got = {"body": body, "headers": dict(self.headers),
               "verified": verify(self.headers, body, SECRET)}
        try:
            got["json"] = json.loads(body)
        except ValueError:
            got["json"] = None
        self.server.got.setdefault(path, []).append(got)
        if path in ("/hook", "/wrong"):
            if got["verified"]:
                self.answer(200, b"{}")
            else:
                self.answer(401, b'{"error":"bad signature"}')
        elif path == "/pd":
            j = got["json"] or {}
            if j.get("routing_key") != ROUTING_KEY:
                self.answer(400, b'{"status":"invalid event","message":'
                            b'"Event object is invalid","errors":'
                            b'["routing_key"]}')
            else:
                self.answer(202, json.dumps(
                    {"status": "success", "message": "Event processed",
                     "dedup_key": j.get("dedup_key")}).encode())
        elif path == "/pd400":
            self.answer(400, b'{"status":"invalid event","message":'
                        b'"Event object is invalid","errors":'
                        b'["Length of \'routing_key\' is incorrect"]}')
        elif path == "/pd429":
            self.answer(429, b'{"status":"throttle event","message":'
                        b'"Requests for this service are arriving too '
                        b'quickly.  Please retry later."}')
        else:
            self.answer(404, b"{}")

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def secret_file(work, name, data, mode):
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(data + b"\n")
    os.chmod(path, mode)
    return path


def is_heartbeat(g):
    return [a.get("labels", {}).get("alertname") for a in
            (g["json"] or {}).get("alerts", [])] == ["agent.heartbeat"]


def memory_alerts(srv, path):
    """The host.memory alerts POSTed to path, in order, with the body."""
    out = []
    for g in srv.got.get(path, []):
        for a in (g["json"] or {}).get("alerts", []):
            if a.get("labels", {}).get("alertname") == "host.memory":
                out.append((a, g))
    return out


def check_heartbeat(srv):
    beats = [g for g in srv.got.get("/hook", []) if is_heartbeat(g)]
    check(beats and beats[0]["verified"] and
          beats[0]["json"]["alerts"][0]["status"] == "firing" and
          beats[0]["json"]["alerts"][0]["endsAt"] >
          beats[0]["json"]["alerts"][0]["startsAt"],
          "the always-firing agent.heartbeat reaches the webhook, signed, "
          "endsAt ahead (%d POSTs)" % len(beats))
    check(not [g for g in srv.got.get("/pd", []) if b"heartbeat" in
               g["body"]], "and never PagerDuty")


def check_hook(srv, work, daemon):
    got = memory_alerts(srv, "/hook")
    states = [(a["status"], a["labels"].get("severity")) for a, _ in got]
    check(states == [("firing", "warning"), ("firing", "critical"),
                     ("resolved", "critical")],
          "webhook: firing (warning), firing (critical), resolved: %s" %
          states)
    if len(got) != 3:
        return
    check(all(g["verified"] for _, g in got),
          "every body verifies: HMAC-SHA256 over timestamp.body")
    (w, gw), (c, gc), (r, gr) = got
    body = gw["json"]
    lab = w["labels"]
    check(body.get("version") == "4" and body.get("status") == "firing" and
          body.get("receiver") == "hook" and
          body.get("externalURL") == "https://forewarn.example.net/" and
          body.get("commonLabels") == lab and
          body.get("commonAnnotations") == w["annotations"] and
          body.get("truncatedAlerts") == 0 and
          len(body.get("alerts", [])) == 1,
          "the Alertmanager webhook body: version 4, status, receiver, "
          "common labels and annotations, externalURL")
    gl = body.get("groupLabels", {})
    check(gl == {"alertname": "host.memory", "host": "wh-test",
                 "entity_kind": "host", "entity_id": lab.get("entity_id")}
          and body.get("groupKey") == '{}:{alertname="host.memory", '
          'entity_id="%s", entity_kind="host", host="wh-test"}' %
          lab.get("entity_id"),
          "groupLabels and groupKey: %s" % body.get("groupKey"))
    check(lab.get("host") == "wh-test" and lab.get("entity_kind") == "host"
          and lab.get("entity_name") == "fixture-host" and
          json.loads(w["annotations"]["details"]).get("warning") == 10 and
          "memory available" in w["annotations"].get("summary", ""),
          "labels and annotations as the Alertmanager sink's: %s" % lab)
    fps = {w["fingerprint"], c["fingerprint"], r["fingerprint"]}
    check(len(fps) == 1 and re.fullmatch("[0-9a-f]{16}", w["fingerprint"])
          and w["annotations"]["fingerprint"] == w["fingerprint"],
          "one fingerprint, the event's: %s" % fps)
    check(w["endsAt"] == NO_END and c["endsAt"] == NO_END and
          r["endsAt"] != NO_END and r["startsAt"] == c["startsAt"] and
          r["endsAt"] >= r["startsAt"] and gr["json"]["status"] ==
          "resolved" and w["generatorURL"] == "",
          "endsAt: none while firing, the resolution time once resolved; "
          "the resolution keeps its startsAt across the restart")
    ts = gw["headers"].get("X-Forewarn-Timestamp", "0")
    stale = hmac.new(SECRET, str(int(ts) - 1).encode() + b"." + gw["body"],
                     hashlib.sha256).hexdigest()
    check(gw["headers"]["X-Forewarn-Signature"] != "sha256=" + stale,
          "the timestamp is part of the signed material")
    check(SECRET.decode() not in daemon.text() and
          ROUTING_KEY not in daemon.text(), "no secret in the log")


def memory_fp(srv):
    got = memory_alerts(srv, "/hook")
    return got[0][0]["fingerprint"] if got else None


def memory_pd(srv, path):
    """The PagerDuty events about host.memory POSTed to path (the sink also
    carries the agent's own events, such as agent.sink_failing)."""
    fp = memory_fp(srv)
    return [g for g in srv.got.get(path, [])
            if g["json"] and g["json"].get("dedup_key") == fp]


def check_pagerduty(srv):
    got = [g["json"] for g in memory_pd(srv, "/pd")]
    acts = [(j.get("event_action"), (j.get("payload") or {}).get("severity"))
            for j in got]
    check(acts == [("trigger", "warning"), ("trigger", "critical"),
                   ("resolve", None)],
          "pagerduty: trigger (warning), trigger (critical), resolve: %s" %
          acts)
    if len(got) != 3:
        return
    keys = {j.get("dedup_key") for j in got}
    check(len(keys) == 1 and re.fullmatch("[0-9a-f]{16}", keys.pop() or ""),
          "one dedup_key, the fingerprint, for trigger and resolve")
    check(all(j.get("routing_key") == ROUTING_KEY for j in got),
          "the routing key from routing_key_file")
    p = got[0]["payload"]
    check(p.get("source") == "wh-test" and p.get("class") == "host.memory"
          and p.get("component") == "fixture-host" and
          p.get("group") == "host" and
          p.get("custom_details", {}).get("warning") == 10 and
          "memory available" in p.get("summary", "") and
          re.match(r"\d{4}-\d\d-\d\dT", p.get("timestamp", "")),
          "payload: summary, source, severity, component, class, "
          "custom_details: %s" % sorted(p))
    hook = memory_alerts(srv, "/hook")
    check(hook and hook[0][0]["fingerprint"] == got[0]["dedup_key"],
          "dedup_key is the webhook alert's fingerprint")


def check_refusals(srv, daemon):
    log = daemon.text()
    wrong = srv.got.get("/wrong", [])
    check(len(memory_alerts(srv, "/wrong")) == 3 and wrong and
          not any(g["verified"] for g in wrong),
          "the sink with the wrong secret: no body verifies (%d POSTs)" %
          len(wrong))
    events = [g for g in wrong if not is_heartbeat(g)]
    check(wait_until(lambda: daemon.text().count(
        "sink 'wrong' rejected event") == len(events), 3),
          "its 401s are rejections, each event once (%d events, %d "
          "heartbeats)" % (len(events), len(wrong) - len(events)))
    check("readable by everyone" in log,
          "a world-readable secret file is warned about")
    bad = srv.got.get("/pd400", [])
    check(len(memory_pd(srv, "/pd400")) == 3 and
          wait_until(lambda: daemon.text().count(
              "sink 'pd400' rejected event") == len(bad), 3),
          "pagerduty 400: each event rejected once (%d POSTs)" % len(bad))
    check("refused the event (HTTP 400)" in log and
          "Event object is invalid" in log,
          "the 400 is logged with PagerDuty's answer")
    first = [g for g in memory_pd(srv, "/pd429")
             if g["json"].get("event_action") == "trigger" and
             g["json"]["payload"]["severity"] == "warning"]
    check(len(first) >= 2 and "sink 'pd429': delivery of event" in log and
          "throttled" in log,
          "pagerduty 429: throttled, the event retried (%d POSTs of the "
          "first)" % len(first))


def test_alert(binary, work, port, hook_secret, rk):
    tconf = os.path.join(work, "test-alert.conf")
    with open(tconf, "w") as f:
        f.write("[agent]\nhost = wh-test\n"
                "[sink:hook]\ntype = webhook\n"
                "url = http://127.0.0.1:%d/hook\nsecret_file = %s\n"
                "[sink:pd]\ntype = webhook\nmode = pagerduty\n"
                "url = http://127.0.0.1:%d/pd\nrouting_key_file = %s\n" % (
                    port, hook_secret, port, rk))
    p = subprocess.run([binary, "-c", tconf, "--test-alert"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=60)
    out = p.stdout
    check("sink hook: test alert delivered" in out and
          "sink hook: its resolution delivered" in out and
          "sink pd: test alert delivered" in out and
          "sink pd: its resolution delivered" in out and p.returncode == 0,
          "--test-alert through webhook and pagerduty (exit %d): %s" %
          (p.returncode, out.strip().replace("\n", "; ")))


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp()
    srv = serve(Receiver, threading_=True, got={})
    port = srv.server_port
    good = secret_file(work, "hook.secret", SECRET, 0o600)
    wrong = secret_file(work, "wrong.secret", WRONG, 0o644)
    rk = secret_file(work, "pd.key", ROUTING_KEY.encode(), 0o600)
    conf = (BASE_CONF % "wh-test" + (
            "[sink:hook]\ntype = webhook\n"
            "url = http://127.0.0.1:{p}/hook\nsecret_file = {good}\n"
            "external_url = https://forewarn.example.net/\n"
            "[sink:wrong]\ntype = webhook\n"
            "url = http://127.0.0.1:{p}/wrong\nsecret_file = {wrong}\n"
            "[sink:pd]\ntype = webhook\nmode = pagerduty\n"
            "url = http://127.0.0.1:{p}/pd\nrouting_key_file = {rk}\n"
            "[sink:pd400]\ntype = webhook\nmode = pagerduty\n"
            "url = http://127.0.0.1:{p}/pd400\nrouting_key_file = {rk}\n"
            "[sink:pd429]\ntype = webhook\nmode = pagerduty\n"
            "url = http://127.0.0.1:{p}/pd429\nrouting_key_file = {rk}\n"
            "timeout = 2s\n").format(p=port, good=good, wrong=wrong,
                                      rk=rk))
    d = Daemon(binary, work, conf)
    try:
        check(d.start(), "the daemon runs with five webhook sinks")
        for kb, n in ((600000, 1), (100000, 2), (4000000, 3)):
            if n == 3:
                # The resolution's startsAt comes from the store after a
                # restart.
                check(d.stop() == 0 and d.start(), "the daemon restarted "
                      "with the condition critical")
            d.meminfo(kb)
            d.scan()
            wait_until(lambda: len(memory_alerts(srv, "/hook")) >= n and
                       len(memory_pd(srv, "/pd")) >= n and
                       len(memory_alerts(srv, "/wrong")) >= n and
                       len(memory_pd(srv, "/pd400")) >= n, 10)
        # The 429 sink's backoff has had a few seconds to retry.
        wait_until(lambda: len(memory_pd(srv, "/pd429")) >= 3, 10)
        check_hook(srv, work, d)
        check_heartbeat(srv)
        check_pagerduty(srv)
        check_refusals(srv, d)
        check(d.proc.poll() is None, "the daemon is running")
        check(d.stop() == 0, "the daemon stops cleanly")
        test_alert(binary, work, port, good, rk)
    finally:
        d.stop()
        srv.shutdown()
        cleanup(work)
    return report()


if __name__ == "__main__":
    sys.exit(main())
