#!/usr/bin/env python3
"""The Prometheus sink with the real tools: /metrics from the daemon on a
fixture root checked by `promtool check metrics` (Debian's prometheus),
the check states following the fixture, a slow client not holding up the
daemon, and the textfile read by a real node_exporter's textfile collector.

    tests/sinks/prometheus.py path/to/forewarnd
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    BASE_CONF, Daemon, check, cleanup, free_port, missing, report, wait_until)

PROMTOOL = shutil.which("promtool")
NODE_EXPORTER = shutil.which("prometheus-node-exporter")


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return r.status, r.headers.get("Content-Type", ""), \
                r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, "", ""
    except OSError:
        return 0, "", ""


def sample(text, metric, **labels):
    for line in text.splitlines():
        if not line.startswith(metric + "{"):
            continue
        if all('%s="%s"' % (k, v) in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def promtool_ok(text):
    p = subprocess.run([PROMTOOL, "check", "metrics"], input=text,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    return p.returncode == 0, p.stdout.strip()


def main():
    binary = os.path.abspath(sys.argv[1])
    if missing(PROMTOOL and NODE_EXPORTER, "promtool and node_exporter "
               "are installed (make deps)"):
        return 1
    work = tempfile.mkdtemp()
    tdir = os.path.join(work, "textfile")
    os.mkdir(tdir)
    port, nport = free_port(), free_port()
    d = Daemon(binary, work, BASE_CONF % "prom-test" +
               "[sink:prom]\ntype = prometheus\n"
               "listen = 127.0.0.1:%d\ntextfile = %s/forewarn.prom\n"
               "textfile_interval = 1s\n" % (port, tdir))
    ne = None
    url = "http://127.0.0.1:%d/metrics" % port

    try:
        d.start()
        status, ctype, text = wait_until(lambda: get(url)[0] == 200 and
                                         get(url), 10) or (0, "", "")
        check(status == 200 and ctype.startswith("text/plain; version=0.0.4"),
              "GET /metrics: %d %s" % (status, ctype))
        ok, out = promtool_ok(text)
        check(ok, "promtool check metrics passes%s" %
              ("" if ok else ": " + out[:300]))
        check(sample(text, "forewarn_check_state", check="host.memory",
                     host="prom-test", entity_kind="host") == 0,
              "host.memory is 0 (ok)")
        check(sample(text, "forewarn_check_value", check="host.memory")
              is not None, "its value is there")
        check(sample(text, "forewarn_entity_info", entity_kind="host",
                     os="Debian GNU/Linux 12 (bookworm)") == 1,
              "entities with their labels")
        check(get("http://127.0.0.1:%d/other" % port)[0] == 404,
              "another path is 404")

        d.meminfo(100000)
        d.scan(1)
        text = get(url)[2]
        check(sample(text, "forewarn_check_state", check="host.memory") == 2,
              "memory at 1.2 %%: host.memory's latest result is 2 "
              "(critical): %s" % sample(text, "forewarn_check_state",
                                        check="host.memory"))

        # A client that connects and says nothing holds no one up.
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"GET /metr")
        check(d.scan(1), "with a stalled client, the daemon still scans")
        check(get(url)[0] == 200, "and serves other scrapes")
        slow.close()

        tf = os.path.join(tdir, "forewarn.prom")
        check(wait_until(lambda: os.path.exists(tf), 5),
              "the textfile is written")
        with open(tf) as f:
            ok, out = promtool_ok(f.read())
        check(ok, "the textfile passes promtool%s" %
              ("" if ok else ": " + out[:300]))
        check(not [n for n in os.listdir(tdir) if n.endswith(".tmp")],
              "no temporary file is left behind")
        ne = subprocess.Popen(
            [NODE_EXPORTER, "--web.listen-address=127.0.0.1:%d" % nport,
             "--collector.disable-defaults", "--collector.textfile",
             "--collector.textfile.directory=" + tdir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ntext = wait_until(lambda: get("http://127.0.0.1:%d/metrics" %
                                       nport)[2], 10) or ""
        check(sample(ntext, "forewarn_check_state", check="host.memory") == 2
              and re.search(r"^node_textfile_scrape_error 0$", ntext, re.M),
              "node_exporter's textfile collector reads it without error")
        check(d.proc.poll() is None, "the daemon is running")
    finally:
        d.stop()
        if ne is not None:
            ne.terminate()
            ne.wait(10)
        cleanup(work)
    return report()


if __name__ == "__main__":
    sys.exit(main())
