#!/usr/bin/env python3
"""The systemd notify protocol as forewarnd speaks it: READY, WATCHDOG,
RELOADING then READY on SIGHUP, STOPPING on SIGTERM; exit 0.

    notify.py path/to/forewarnd FIXTURE_ROOT
Prints 'N passed, N failed'."""
import os, signal, socket, subprocess, sys, tempfile, time

binary, root = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp()
sock_path = os.path.join(tmp, "notify.sock")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
s.settimeout(5)
conf = os.path.join(tmp, "forewarn.conf")
with open(conf, "w") as f:
    f.write("[agent]\nhost = notify-test\n")
env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="200000")
p = subprocess.Popen([binary, "-c", conf, "--root", root, "--state-dir",
                      os.path.join(tmp, "state")], env=env,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
passed = failed = 0

def expect(what, pred, deadline=5.0):
    global passed, failed
    end = time.time() + deadline
    seen = []
    while time.time() < end:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            break
        seen.append(msg)
        if pred(msg):
            passed += 1
            return
    failed += 1
    print("FAIL: %s; got %r" % (what, seen))

expect("READY=1 after start", lambda m: "READY=1" in m)
expect("WATCHDOG=1 at half the period", lambda m: m == "WATCHDOG=1", 2)
p.send_signal(signal.SIGHUP)
expect("RELOADING=1 with MONOTONIC_USEC", lambda m: "RELOADING=1" in m and "MONOTONIC_USEC=" in m)
expect("READY=1 after the reload", lambda m: "READY=1" in m)
p.send_signal(signal.SIGTERM)
expect("STOPPING=1 on SIGTERM", lambda m: "STOPPING=1" in m)
rc = p.wait(10)
if rc == 0:
    passed += 1
else:
    failed += 1
    print("FAIL: exit status %d after SIGTERM" % rc)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
