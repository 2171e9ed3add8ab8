#!/usr/bin/env python3
"""The Debian package on this machine, as CI runs it: make deb (lintian
reports no error), apt install, the installed files and user, forewarnd
--check-config and --once of the installed copy, the unit's ExecStartPre
and ExecStart run by hand as systemd would run them (this machine has no
running systemd: the state and runtime directories, the umask and the
notify socket are set up here), ExecReload with a broken conf.d file (its
check refuses it; a SIGHUP anyway keeps the daemon running, logs the
rejection and raises agent.config_reload_failed), the file removed and
reloaded, SIGTERM, then apt purge: no file of the package left, no
/etc/forewarn, no /var/lib/forewarn, the forewarn user kept (postrm:
Debian leaves system users, whose uid may still own files).  A forewarn
user the package made is removed at the end, since the tests that follow
run the daemon as root and it would drop to that user.

    tests/packaging/run.py [BUILD]     as root; the .deb goes to BUILD-deb/

It installs into and removes from this machine, so it is not part of make
check; CI runs it from .ci/run.  It refuses to run when forewarn is
installed already.  Prints 'N passed, N failed' last."""
import os, pwd, re, shlex, signal, socket, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(SRC, "tests", "fixtures", "host", "ok")
BUILD = sys.argv[1] if len(sys.argv) > 1 else "build-pkg"
PKG = "forewarn"
BROKEN = "/etc/forewarn/conf.d/99-packaging-test-broken.conf"
passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL " + what + (": " + detail if detail else ""))
    return ok


def run(argv, **kw):
    kw.setdefault("timeout", 600)
    return subprocess.run(argv, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, **kw)


class Abort(Exception):
    """A step failed that the rest depends on."""


def finish():
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


def installed():
    r = run(["dpkg-query", "-W", "-f=${db:Status-Status}", PKG])
    return r.returncode == 0 and r.stdout.strip() == "installed"


def unit_values(path):
    """The unit's [Service] settings: key -> list of values, in order."""
    vals, section = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                section = line
                continue
            if section == "[Service]" and "=" in line:
                k, v = line.split("=", 1)
                vals.setdefault(k.strip(), []).append(v.strip())
    return vals


def exec_argv(line, mainpid=None):
    """An Exec line as systemd runs it: prefixes off, $MAINPID set."""
    line = line.lstrip("-@:+!")
    if mainpid is not None:
        line = line.replace("${MAINPID}", str(mainpid))
        line = line.replace("$MAINPID", str(mainpid))
    return shlex.split(line)


class Notify:
    """systemd's notify socket, for Type=notify."""

    def __init__(self, path):
        self.path = path
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(path)
        # The daemon drops to the forewarn user after start-up and still
        # speaks to it, as to systemd's world-writable /run/systemd/notify.
        os.chmod(os.path.dirname(path), 0o755)
        os.chmod(path, 0o777)
        self.seen = []

    def wait(self, pred, timeout):
        end = time.time() + timeout
        while time.time() < end:
            self.s.settimeout(max(0.1, end - time.time()))
            try:
                msg = self.s.recv(4096).decode(errors="replace")
            except socket.timeout:
                break
            self.seen.append(msg)
            if pred(msg):
                return True
        return False


def wait_for_text(path, pattern, timeout):
    end = time.time() + timeout
    while time.time() < end:
        with open(path, errors="replace") as f:
            if re.search(pattern, f.read(), re.M):
                return True
        time.sleep(0.2)
    return False


def build_and_install():
    r = run(["make", "--no-print-directory", "BUILD=" + BUILD, "deb"],
            cwd=SRC, timeout=1800)
    errors = re.findall(r"^E: .*", r.stdout, re.M)
    warnings = re.findall(r"^W: .*", r.stdout, re.M)
    print("lintian: %d errors, %d warnings" % (len(errors), len(warnings)))
    for w in errors + warnings:
        print("  " + w)
    if not check("make deb, lintian --fail-on error", r.returncode == 0,
                 r.stdout[-3000:]):
        raise Abort()
    check("lintian reports no error", not errors)
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    debdir = os.path.join(SRC, BUILD + "-deb")
    debs = [f for f in os.listdir(debdir)
            if f.startswith(PKG + "_") and f.endswith("_%s.deb" % arch)]
    if not check("one .deb built", len(debs) == 1, str(debs)):
        raise Abort()
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    r = run(["apt-get", "install", "-y", "-q", "--no-install-recommends",
             os.path.join(debdir, debs[0])], env=env)
    if not check("apt install " + debs[0], r.returncode == 0 and installed(),
                 r.stdout[-3000:]):
        raise Abort()


def check_installed():
    files = [f for f in run(["dpkg", "-L", PKG]).stdout.split()
             if f not in ("/", "/.")]
    for want in ("/usr/sbin/forewarnd", "/etc/forewarn/forewarn.conf",
                 "/etc/forewarn/conf.d", "/usr/share/man/man8/forewarnd.8.gz",
                 "/usr/share/man/man5/forewarn.conf.5.gz",
                 "/usr/lib/sysusers.d/forewarn.conf"):
        check("the package installs " + want,
              want in files and os.path.exists(want))
    units = [f for f in files
             if f.endswith("/systemd/system/forewarnd.service")]
    check("the package installs the unit", len(units) == 1, str(units))
    conffiles = run(["dpkg-query", "-W", "-f=${Conffiles}", PKG]).stdout
    check("forewarn.conf is a conffile",
          "/etc/forewarn/forewarn.conf " in conffiles, conffiles)
    try:
        pw = pwd.getpwnam("forewarn")
        check("postinst made the forewarn system user",
              pw.pw_uid < 1000 and pw.pw_shell.endswith("nologin"), str(pw))
    except KeyError:
        check("postinst made the forewarn system user", False, "no such user")
    return files, units[0] if units else None


def check_commands():
    r = run(["/usr/sbin/forewarnd", "--version"])
    check("forewarnd --version", r.returncode == 0 and
          r.stdout.startswith("forewarnd "), r.stdout)
    r = run(["/usr/sbin/forewarnd", "--check-config"])
    check("forewarnd --check-config of the installed configuration",
          r.returncode == 0, r.stdout)
    r = run(["/usr/sbin/forewarnd", "--root", FIXTURE, "--once"])
    check("forewarnd --once on the healthy fixture host", r.returncode == 0 and
          re.search(r"^forewarn \S+ on \S+ at \S+: OK$", r.stdout, re.M),
          "exit %d\n%s" % (r.returncode, r.stdout))
    r = run(["/usr/sbin/forewarnd", "--once"], timeout=120)
    check("forewarnd --once on this machine (exit 0-3, a report)",
          r.returncode in (0, 1, 2, 3) and
          re.search(r"^forewarn \S+ on \S+ at \S+: [A-Z]+$", r.stdout, re.M),
          "exit %d\n%s" % (r.returncode, r.stdout[-3000:]))


def service_dirs(unit):
    """Make the StateDirectory and RuntimeDirectory as systemd would."""
    made = []
    for key, base in (("StateDirectory", "/var/lib"),
                      ("RuntimeDirectory", "/run")):
        mode = int(unit.get(key + "Mode", ["0755"])[-1], 8)
        for name in " ".join(unit.get(key, [])).split():
            path = os.path.join(base, name)
            os.makedirs(path, exist_ok=True)
            os.chmod(path, mode)
            made.append(path)
    return made


def run_reload(unit, pid):
    """The ExecReload lines in order, stopping at the first that fails."""
    for line in unit.get("ExecReload", []):
        r = run(exec_argv(line, pid))
        if r.returncode != 0:
            return r
    return None


def check_service(unit_path, tmp):
    unit = unit_values(unit_path)
    check("the unit is Type=notify", unit.get("Type") == ["notify"],
          str(unit.get("Type")))
    made = service_dirs(unit)
    for line in unit.get("ExecStartPre", []):
        r = run(exec_argv(line))
        check("ExecStartPre " + line, r.returncode == 0, r.stdout)
    start = unit.get("ExecStart", [])
    if not check("the unit has one ExecStart", len(start) == 1, str(start)):
        return made
    notify = Notify(os.path.join(tmp, "notify.sock"))
    env = dict(os.environ, NOTIFY_SOCKET=notify.path)
    if "WatchdogSec" in unit:
        env["WATCHDOG_USEC"] = str(int(unit["WatchdogSec"][-1]) * 1000000)
    umask = int(unit.get("UMask", ["0022"])[-1], 8)
    out, err = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
    with open(out, "w") as fo, open(err, "w") as fe:
        p = subprocess.Popen(exec_argv(start[0]), env=env, stdout=fo,
                             stderr=fe, preexec_fn=lambda: os.umask(umask))
    try:
        daemon(unit, p, notify, out, err)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        if os.path.exists(BROKEN):
            os.unlink(BROKEN)
    return made


def daemon(unit, p, notify, out, err):
    ready = notify.wait(lambda m: "READY=1" in m, 60)
    check("ExecStart " + unit["ExecStart"][0] + ": READY=1", ready,
          "%r\n%s" % (notify.seen, open(err).read()[-3000:]))
    if not ready:
        return
    time.sleep(1)
    check("the daemon runs after READY", p.poll() is None, open(err).read())
    try:
        uid = int(re.search(r"^Uid:\s+\d+\s+(\d+)", open(
            "/proc/%d/status" % p.pid).read(), re.M).group(1))
        check("the daemon runs as the forewarn user",
              uid == pwd.getpwnam("forewarn").pw_uid, "uid %d" % uid)
    except (OSError, AttributeError, KeyError) as e:
        check("the daemon runs as the forewarn user", False, str(e))

    # A broken file in conf.d: ExecReload's check refuses it, so systemd
    # would not signal; a SIGHUP anyway (the file changed after the check)
    # must leave the daemon running on its old configuration.
    with open(BROKEN, "w") as f:
        f.write("[sink:broken]\ntype = no-such-sink-type\n")
    r = run_reload(unit, p.pid)
    check("ExecReload refuses the broken file, naming file:line",
          r is not None and (BROKEN + ":1:") in r.stdout,
          r.stdout if r is not None else "every ExecReload line passed")
    os.kill(p.pid, signal.SIGHUP)
    check("SIGHUP with the broken file: RELOADING=1 then READY=1",
          notify.wait(lambda m: "RELOADING=1" in m, 10) and
          notify.wait(lambda m: "READY=1" in m, 10), repr(notify.seen[-4:]))
    check("the rejection is logged with file:line",
          wait_for_text(err, "configuration rejected", 5) and
          wait_for_text(err, re.escape(BROKEN) + ":1:", 1),
          open(err).read()[-2000:])
    os.kill(p.pid, signal.SIGUSR1)
    check("agent.config_reload_failed is raised (stdout sink)",
          wait_for_text(out, r'"agent\.config_reload_failed"', 20),
          open(out).read()[-2000:])
    time.sleep(1)
    check("the daemon still runs after the rejected reload",
          p.poll() is None, "exit %s" % p.poll())

    os.unlink(BROKEN)
    r = run_reload(unit, p.pid)
    check("ExecReload after the file is removed",
          r is None, r.stdout if r is not None else "")
    check("the reload is taken",
          notify.wait(lambda m: "READY=1" in m, 10) and
          wait_for_text(err, "configuration reloaded", 5),
          open(err).read()[-2000:])

    timeout = int(unit.get("TimeoutStopSec", ["90"])[-1])
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout)
    except subprocess.TimeoutExpired:
        rc = None
    check("SIGTERM: exit 0 within TimeoutStopSec=%ds" % timeout, rc == 0,
          "exit %s\n%s" % (rc, open(err).read()[-2000:]))


def check_purge(files, made):
    # systemd removes the RuntimeDirectory when the service stops.
    for path in made:
        if path.startswith("/run/"):
            run(["rm", "-rf", path])
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    r = run(["apt-get", "purge", "-y", "-q", PKG], env=env)
    check("apt purge", r.returncode == 0 and not installed(), r.stdout[-2000:])
    left = [f for f in files if os.path.exists(f) and not os.path.isdir(f)]
    check("no file of the package is left", not left, " ".join(left))
    # Directories: only those no other package shares.
    shared = set()
    for f in files:
        if os.path.isdir(f):
            q = run(["dpkg-query", "-S", f])
            if q.returncode == 0:
                shared.add(f)
    dirs = [f for f in files if os.path.isdir(f) and f not in shared]
    check("no directory of the package only is left", not dirs, " ".join(dirs))
    for path in ("/etc/forewarn", "/var/lib/forewarn"):
        check(path + " is gone after purge", not os.path.exists(path))
    links = run(["find", "/etc/systemd", "/var/lib/systemd",
                 "-name", "forewarnd*"]).stdout.split()
    check("no unit enablement is left (deb-systemd-helper)", not links,
          " ".join(links))
    try:
        pwd.getpwnam("forewarn")
        check("the forewarn user is kept (postrm policy)", True)
    except KeyError:
        check("the forewarn user is kept (postrm policy)", False)


def user_exists():
    try:
        pwd.getpwnam("forewarn")
        return True
    except KeyError:
        return False


def main():
    if os.geteuid() != 0:
        check("run as root (it installs the package)", False)
        finish()
    if installed():
        check("forewarn is not installed before the test", False,
              "purge it first; this test installs and purges it")
        finish()
    had_user = user_exists()
    try:
        build_and_install()
        files, unit_path = check_installed()
        check_commands()
        made = []
        with tempfile.TemporaryDirectory() as tmp:
            if unit_path is not None:
                made = check_service(unit_path, tmp)
        check_purge(files, made)
    except Abort:
        pass
    finally:
        # The machine as it was: the tests after this one run the daemon
        # as root, and it would drop to a forewarn user it found.
        if installed():
            run(["apt-get", "purge", "-y", "-q", PKG],
                env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        if not had_user and user_exists():
            # userdel refuses while a process still runs as the user: on
            # a shared machine, a daemon another test started as root
            # while the user was there.  It is ours to remove all the same.
            for _ in range(10):
                if run(["userdel", "forewarn"]).returncode == 0:
                    break
                time.sleep(1)
            else:
                run(["userdel", "--force", "forewarn"])
            check("the forewarn user the package made is removed again",
                  not user_exists())
    finish()


if __name__ == "__main__":
    main()
