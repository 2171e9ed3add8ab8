#!/usr/bin/env python3
"""The SNMP sink against a real snmptrapd (Debian's net-snmp) on loopback:
v2c and v3 (USM authPriv, SHA-256 + AES) informs of a raised and a cleared
condition acknowledged and logged with our objects; a receiver that is down
is "not acknowledged" and the outbox retries until it is back, in order.

    tests/sinks/snmp.py path/to/forewarnd
"""
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

SNMPTRAPD = shutil.which("snmptrapd")
ENGINE = "0x80001f8880aa55aa55aa55aa55"
ARC = ".1.3.6.1.4.1.8072.9999.9999.7"


class Trapd(Process):
    def __init__(self, work):
        self.dir = os.path.join(work, "trapd")
        os.makedirs(self.dir)
        self.port = free_port(socket.SOCK_DGRAM)
        self.conf = os.path.join(self.dir, "snmptrapd.conf")
        self.log = os.path.join(self.dir, "traps.log")
        with open(self.conf, "w") as f:
            f.write("snmpTrapdAddr udp:127.0.0.1:%d\n"
                    "exactEngineID %s\n"
                    "authCommunity log public\n"
                    'createUser labv3 SHA-256 "authpass1" AES "privpass1"\n'
                    "authUser log labv3 priv\n" % (self.port, ENGINE))
        self.proc = None

    def start(self):
        persist = os.path.join(self.dir, "persist")
        os.makedirs(persist, exist_ok=True)
        env = dict(os.environ, MIBS="", SNMP_PERSISTENT_DIR=persist)
        self.proc = subprocess.Popen(
            [SNMPTRAPD, "-f", "-On", "-C", "-c", self.conf, "-Lf", self.log,
             "-p", os.path.join(self.dir, "pid")], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return wait_until(lambda: os.path.exists(self.log) and
                          "NET-SNMP version" in self.text(), 10)

    def text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def notifications(text, oid):
    """How many logged notifications carry snmpTrapOID = oid."""
    return len(re.findall(r"\.1\.3\.6\.1\.6\.3\.1\.1\.4\.1\.0 = OID: %s\b"
                          % re.escape(oid), text))


def main():
    binary = os.path.abspath(sys.argv[1])
    if missing(SNMPTRAPD is not None, "snmptrapd is installed (make deps)"):
        return 1
    work = tempfile.mkdtemp()
    trapd = Trapd(work)
    for name, text in (("auth", "authpass1\n"), ("priv", "privpass1\n")):
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(work, name), 0o600)
    dead = free_port(socket.SOCK_DGRAM)
    conf = (BASE_CONF % "snmp-test" +
            "[sink:v2]\ntype = snmp\naddress = 127.0.0.1:%d\n"
            "community = public\ntimeout = 500ms\nretries = 1\n"
            "heartbeat = 1s\n"
            "[sink:v3]\ntype = snmp\nversion = 3\naddress = 127.0.0.1:%d\n"
            "user = labv3\nengine_id = %s\nauth_protocol = SHA-256\n"
            "auth_password_file = %s/auth\npriv_password_file = %s/priv\n"
            "timeout = 500ms\nretries = 1\n"
            "[sink:dead]\ntype = snmp\naddress = 127.0.0.1:%d\n"
            "community = public\ntimeout = 200ms\nretries = 0\n"
            "[sink:out]\ntype = stdout\n" % (
                trapd.port, trapd.port, ENGINE, work, work, dead))
    d = Daemon(binary, work, conf)
    raised, cleared = ARC + ".0.1", ARC + ".0.2"
    try:
        check(trapd.start(), "snmptrapd on loopback")
        check(d.start(), "the daemon runs with v2c, v3 and a dead receiver")
        d.meminfo(600000)
        d.scan()
        got = wait_until(lambda: notifications(trapd.text(), raised) >= 2,
                         10)
        text = trapd.text()
        check(got, "raised: a v2c and a v3 inform logged (%d)" %
              notifications(text, raised))
        check('%s.1.2.0 = STRING: "host.memory"' % ARC in text and
              '%s.1.1.0 = STRING: "snmp-test"' % ARC in text and
              '%s.1.3.0 = STRING: "warning"' % ARC in text,
              "with host, check and state objects")
        check("labv3" in text or text.count("host.memory") >= 2,
              "the v3 one came through the USM user")
        check(wait_until(lambda: "sink dead: inform not acknowledged" in
                         d.text(), 5),
              "a receiver that is down: not acknowledged, logged")
        check(wait_until(lambda: "sink 'dead': delivery of event" in
                         d.text(), 5), "and retried by the outbox")
        check("sink 'v3': delivery of event" not in d.text(),
              "the first v3 inform's REPORT (engine time) costs no retry")

        trapd.stop()
        d.meminfo(4000000)
        d.scan()
        time.sleep(2)
        check(notifications(trapd.text(), cleared) == 0,
              "cleared while snmptrapd is down: not yet delivered")
        trapd.start()
        got = wait_until(lambda: notifications(trapd.text(), cleared) >= 2,
                         20)
        check(got, "snmptrapd back: the clear arrives by v2c and v3 (%d)" %
              notifications(trapd.text(), cleared))
        beats = notifications(trapd.text(), ARC + ".0.3")
        check(beats >= 2 and '%s.1.1.0 = STRING: "snmp-test"' % ARC in
              trapd.text(), "forewarnHeartbeat every second, acknowledged "
              "(%d)" % beats)
        check(d.proc.poll() is None, "the daemon is running")
    finally:
        d.stop()
        trapd.stop()
        cleanup(work)
    return report()


if __name__ == "__main__":
    sys.exit(main())
