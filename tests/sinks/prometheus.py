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
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(here, "..", "fixtures", "host", "ok")
PROMTOOL = shutil.which("promtool")
NODE_EXPORTER = shutil.which("prometheus-node-exporter")
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


def wait_until(pred, timeout=10.0, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


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
    if not check(PROMTOOL and NODE_EXPORTER, "promtool and node_exporter "
                 "are installed (make deps)"):
        print("0 passed, 1 failed")
        return 1
    work = tempfile.mkdtemp()
    root = os.path.join(work, "root")
    shutil.copytree(FIXTURE, root, symlinks=True)
    tdir = os.path.join(work, "textfile")
    os.mkdir(tdir)
    port, nport = free_port(), free_port()
    conf = os.path.join(work, "fw.conf")
    with open(conf, "w") as f:
        f.write("[agent]\nhost = prom-test\n[host]\ninterval = 1h\n"
                "[disks]\nenabled = no\n[mdraid]\nenabled = no\n"
                "[hwraid]\nenabled = no\n[kmsg]\nenabled = no\n"
                "[sink:prom]\ntype = prometheus\n"
                "listen = 127.0.0.1:%d\ntextfile = %s/forewarn.prom\n"
                "textfile_interval = 1s\n" % (port, tdir))
    log = open(os.path.join(work, "daemon.log"), "w")
    d = subprocess.Popen([binary, "-c", conf, "--root", root, "--state-dir",
                          os.path.join(work, "state"), "-vv"],
                         stdout=subprocess.DEVNULL, stderr=log)
    ne = None
    url = "http://127.0.0.1:%d/metrics" % port

    def scans():
        with open(os.path.join(work, "daemon.log")) as f:
            return len(re.findall(r"scan \d+ done", f.read()))

    def scan():
        n = scans()
        d.send_signal(signal.SIGUSR1)
        return wait_until(lambda: scans() > n)

    try:
        status, ctype, text = wait_until(lambda: get(url)[0] == 200 and
                                         get(url)) or (0, "", "")
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

        path = os.path.join(root, "proc", "meminfo")
        with open(path) as f:
            mem = f.read()
        with open(path, "w") as f:
            f.write(re.sub(r"MemAvailable:.*", "MemAvailable:    100000 kB",
                           mem))
        scan()
        text = get(url)[2]
        check(sample(text, "forewarn_check_state", check="host.memory") == 2,
              "memory at 1.2 %%: host.memory's latest result is 2 "
              "(critical): %s" % sample(text, "forewarn_check_state",
                                        check="host.memory"))

        # A client that connects and says nothing holds no one up.
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"GET /metr")
        check(scan(), "with a stalled client, the daemon still scans")
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
        check(d.poll() is None, "the daemon is running")
    finally:
        d.terminate()
        d.wait(10)
        if ne is not None:
            ne.terminate()
            ne.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
