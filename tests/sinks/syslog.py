#!/usr/bin/env python3
"""The syslog sink against a real rsyslogd (Debian's rsyslog) on loopback,
started here with a configuration of its own: imtcp on a free 127.0.0.1
port and imuxsock on a socket in the temp dir, writing every message to a
file with a template that shows PRI, the header fields, the structured
data and MSG.  The real daemon runs on a fixture root with two syslog
sinks, one over TCP (octet-counting) and one to the local socket:

- a raised condition arrives on both with its header (PRI from facility
  and state, APP-NAME forewarnd, MSGID the check code) and structured data
  (forewarn@32473 with check, state, entity, fingerprint);
- rsyslogd stopped: the daemon keeps running and queues; rsyslogd started
  again: what happened meanwhile arrives, in order, on both;
- an event with a multi-line summary and an entity name holding '"', '\\'
  and ']' (put into the store the way the daemon records events) arrives
  with the lines intact and the parameter escaped per RFC 5424 §6.3.3.

    tests/sinks/syslog.py path/to/forewarnd
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    BASE_CONF, Daemon, Process, check, cleanup, free_port, missing, report,
    wait_until)

RSYSLOGD = shutil.which("rsyslogd") or (
    "/usr/sbin/rsyslogd" if os.path.exists("/usr/sbin/rsyslogd") else None)


class Rsyslog(Process):
    """rsyslogd -n with its own config, work directory and pid file."""

    def __init__(self, work):
        self.dir = os.path.join(work, "rsyslog")
        os.makedirs(self.dir)
        self.port = free_port()
        self.sock = os.path.join(self.dir, "log.sock")
        self.out = os.path.join(self.dir, "messages.jsonl")
        self.pidfile = os.path.join(self.dir, "rsyslogd.pid")
        self.conf = os.path.join(self.dir, "rsyslog.conf")
        props = [("input", "inputname"), ("pri", "pri"),
                 ("time", "timereported"), ("host", "hostname"),
                 ("app", "app-name"), ("procid", "procid"),
                 ("msgid", "msgid"), ("sd", "structured-data"),
                 ("msg", "msg")]
        tmpl = "".join('  property(outname="%s" name="%s" format="jsonf"%s)\n'
                       % (o, n, ' dateFormat="rfc3339"' if o == "time"
                          else "") for o, n in props)
        with open(self.conf, "w") as f:
            f.write(
                'global(workDirectory="%s" maxMessageSize="64k"\n'
                '       parser.escapeControlCharactersOnReceive="off")\n'
                'module(load="imuxsock" SysSock.Use="off")\n'
                'module(load="imtcp")\n'
                'input(type="imtcp" address="127.0.0.1" port="%d")\n'
                'input(type="imuxsock" socket="%s" useSpecialParser="off"\n'
                '      parseHostname="on" rateLimit.interval="0")\n'
                'template(name="fw" type="list" option.jsonf="on") {\n%s}\n'
                'action(type="omfile" file="%s" template="fw")\n' % (
                    self.dir, self.port, self.sock, tmpl, self.out))
        self.proc = None

    def start(self):
        self.log = open(os.path.join(self.dir, "rsyslogd.log"), "a")
        self.proc = subprocess.Popen(
            [RSYSLOGD, "-n", "-f", self.conf, "-i", self.pidfile],
            stdout=self.log, stderr=self.log)
        ok = wait_until(lambda: self.listening() and
                        os.path.exists(self.sock), 10)
        if not ok:
            with open(os.path.join(self.dir, "rsyslogd.log")) as f:
                print(f.read()[-2000:])
        return ok

    def listening(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), 1).close()
            return True
        except OSError:
            return False

    def messages(self, input_=None):
        try:
            with open(self.out) as f:
                got = [json.loads(line) for line in f if line.strip()]
        except (OSError, ValueError):
            return []
        return [m for m in got if input_ is None or m["input"] == input_]


def states(msgs, check_code="host.memory"):
    return [re.search(r' state="([a-z]+)"', m["sd"]).group(1)
            for m in msgs if m["msgid"] == check_code]


def main():
    binary = os.path.abspath(sys.argv[1])
    if missing(RSYSLOGD is not None, "rsyslog is installed (make deps)"):
        return 1
    work = tempfile.mkdtemp()
    rs = Rsyslog(work)
    conf = (BASE_CONF % "syslog-test" +
            "[sink:tcp]\ntype = syslog\nurl = tcp://127.0.0.1:%d\n"
            "timeout = 2s\n"
            "[sink:local]\ntype = syslog\nsocket = %s\nfacility = local3\n"
            % (rs.port, rs.sock))
    d = Daemon(binary, work, conf)
    try:
        check(rs.start(), "rsyslogd on 127.0.0.1:%d and %s" % (rs.port,
                                                               rs.sock))
        check(d.start(), "the daemon runs with a TCP and a local syslog sink")

        d.meminfo(600000)
        d.scan()
        got = wait_until(lambda: len(rs.messages("imtcp")) >= 1 and
                         len(rs.messages("imuxsock")) >= 1 and
                         rs.messages())
        check(got, "host.memory arrived over TCP and the local socket")
        tcp = rs.messages("imtcp")
        local = rs.messages("imuxsock")
        if tcp and local:
            m = tcp[0]
            check(m["pri"] == "28" and local[0]["pri"] == "156",
                  "PRI: daemon.warning 28 over TCP, local3.warning 156 "
                  "locally: %s %s" % (m["pri"], local[0]["pri"]))
            check(m["host"] == "syslog-test" and m["app"] == "forewarnd" and
                  m["procid"] == str(d.proc.pid) and
                  m["msgid"] == "host.memory" and
                  re.match(r"^\d{4}-\d\d-\d\dT", m["time"]),
                  "header: HOSTNAME, APP-NAME, PROCID, MSGID, TIMESTAMP: "
                  "%s" % {k: m[k] for k in ("host", "app", "procid",
                                            "msgid", "time")})
            sd = m["sd"]
            check(sd.startswith("[forewarn@32473 ") and
                  'check="host.memory"' in sd and 'state="warning"' in sd
                  and 'previous="ok"' in sd and 'entity_kind="host"' in sd
                  and 'entity_name="fixture-host"' in sd and
                  re.search(r'fingerprint="[0-9a-f]{16}"', sd),
                  "structured data: %s" % sd)
            check("memory available" in m["msg"].lstrip("\ufeff"),
                  "MSG is the summary: %s" % m["msg"])
            check(local[0]["sd"] == sd and local[0]["msgid"] ==
                  "host.memory", "the local socket got the same fields")

        # rsyslogd away: the daemon queues and retries, then delivers in
        # order once it is back.
        rs.stop()
        d.meminfo(100000)
        d.scan()
        d.meminfo(4000000)
        d.scan()
        time.sleep(2)
        check(d.proc.poll() is None and
              "sink 'tcp': delivery of event" in d.text() and
              "sink 'local': delivery of event" in d.text(),
              "rsyslogd stopped: the daemon runs on, both sinks retry")
        check(rs.start(), "rsyslogd started again")
        want = ["warning", "critical", "ok"]
        got = wait_until(lambda: states(rs.messages("imtcp")) == want and
                         states(rs.messages("imuxsock")) == want, 30)
        check(got, "what happened meanwhile arrived, in order: TCP %s, "
              "local %s" % (states(rs.messages("imtcp")),
                            states(rs.messages("imuxsock"))))

        # A multi-line summary and a name that needs SD escaping.
        check(d.stop() == 0, "the daemon stops cleanly")
        summary = ("first line of three\nsecond: \"quoted\" [x]\n"
                   "\tthird, indented \u00e9")

        def odd(ev):
            ev["check"] = "test.multiline"
            ev["summary"] = summary
            ev["entity"]["name"] = 'we"ird\\na]me'
            ev["fingerprint"] = "00000000000000aa"

        d.inject(odd)
        check(d.start(), "the daemon restarted with the odd event queued")
        got = wait_until(lambda: [m for m in rs.messages("imtcp")
                                  if m["msgid"] == "test.multiline"] and
                         [m for m in rs.messages("imuxsock")
                          if m["msgid"] == "test.multiline"], 15)
        check(got, "the event arrived on both")
        for inp in ("imtcp", "imuxsock"):
            ms = [m for m in rs.messages(inp)
                  if m["msgid"] == "test.multiline"]
            if not ms:
                continue
            check(ms[0]["msg"].lstrip("\ufeff") == summary,
                  "%s: the multi-line summary is intact: %r" % (
                      inp, ms[0]["msg"]))
            check('entity_name="we\\"ird\\\\na\\]me"' in ms[0]["sd"],
                  "%s: '\"', '\\' and ']' escaped in the parameter: %s" % (
                      inp, ms[0]["sd"]))
        check(len(states(rs.messages("imtcp"))) == 3,
              "nothing was sent twice over TCP")
        check(d.proc.poll() is None, "the daemon is running")
    finally:
        d.stop()
        rs.stop()
        cleanup(work)
    return report()


if __name__ == "__main__":
    sys.exit(main())
