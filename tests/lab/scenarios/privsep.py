"""Privilege separation on real disks: the daemon started as root runs as
the guest's forewarn user with no capabilities, the privileged spawner and
the probe helpers it forks stay root with CAP_SYS_RAWIO and CAP_SYS_ADMIN
only, and SMART of the AHCI and NVMe disks still arrives through them — a
reading on /metrics' textfile, an injected NVMe critical warning raised, a
helper killed from outside replaced through the spawner.  With the kmsg and
net collectors on, the main process keeps exactly what they need."""
import time

CAP_NET_ADMIN, CAP_SYSLOG = 12, 34
CAP_SYS_RAWIO, CAP_SYS_ADMIN = 17, 21
DEVICE_CAPS = (1 << CAP_SYS_RAWIO) | (1 << CAP_SYS_ADMIN)

CONF = ("[agent]\\nhost = lab\\nstate_dir = /tmp/state\\n"
        "[host]\\ninterval = 1h\\n[disks]\\ninterval = 2s\\ndeadline = 10s\\n"
        "[kmsg]\\nenabled = no\\n[net]\\nenabled = no\\n"
        "[sink:out]\\ntype = stdout\\n"
        "[sink:prom]\\ntype = prometheus\\nlisten = off\\n"
        "textfile = /tmp/prom/fw.prom\\ntextfile_interval = 1s\\n")
DAEMON = ("forewarnd -c /tmp/fw.conf --pid-file /run/forewarnd.pid "
          ">/tmp/events.jsonl 2>/tmp/fw.log")


def status(lab, pid):
    rc, out = lab.run("cat /proc/%s/status" % pid)
    if rc != 0:
        return {}
    return dict(line.split(":\t", 1) for line in out.splitlines()
                if ":\t" in line)


def children(lab, pid):
    rc, out = lab.run("cat /proc/%s/task/%s/children" % (pid, pid))
    return out.split() if rc == 0 else []


def wait(pred, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.5)
    return None


def main_pid(lab):
    rc, out = lab.run("cat /run/forewarnd.pid")
    return out.strip() if rc == 0 and out.strip().isdigit() else None


def metric(lab, check_code, name):
    """The state of check_code on the disk called name, from the textfile."""
    rc, out = lab.run("cat /tmp/prom/fw.prom")
    for line in out.splitlines():
        if (line.startswith("forewarn_check_state{") and
                'check="%s"' % check_code in line and
                'name="%s"' % name in line):
            return line
    return None


def run(lab, check):
    rc, out = lab.run("grep forewarn /etc/passwd")
    check(rc == 0, "the guest has a forewarn user: %s" % out.strip())
    lab.run("printf '%s' > /tmp/fw.conf; mkdir -p /tmp/prom; "
            "chown forewarn:forewarn /tmp/prom" % CONF)
    lab.spawn(DAEMON)
    pid = wait(lambda: main_pid(lab))
    check(pid is not None, "the daemon writes its pid file once started")
    if pid is None:
        print(lab.run("cat /tmp/fw.log")[1])
        return
    st = status(lab, pid)
    check(st.get("Uid", "").split() == ["101"] * 4,
          "the main process runs as forewarn (uid 101): Uid %s" %
          st.get("Uid"))
    check(int(st.get("CapEff", "1"), 16) == 0 and
          int(st.get("CapPrm", "1"), 16) == 0,
          "the main process holds no capabilities: CapEff %s CapPrm %s" %
          (st.get("CapEff"), st.get("CapPrm")))
    print("  main %s: Uid %s CapEff %s" % (pid, st.get("Uid"),
                                           st.get("CapEff")))
    spawner = [c for c in children(lab, pid)
               if status(lab, c).get("Name") == "forewarnd-priv"]
    check(len(spawner) == 1, "one privileged spawner: %s" % spawner)
    if spawner:
        ss = status(lab, spawner[0])
        check(ss.get("Uid", "").split()[:1] == ["0"] and
              int(ss.get("CapEff", "0"), 16) == DEVICE_CAPS,
              "the spawner: root with CAP_SYS_RAWIO and CAP_SYS_ADMIN "
              "only (CapEff %s)" % ss.get("CapEff"))
        print("  spawner %s: Uid %s CapEff %s CapBnd %s" % (
            spawner[0], ss.get("Uid"), ss.get("CapEff"), ss.get("CapBnd")))

    # SMART through the helpers, read by the unprivileged main process.
    for code, disk in (("disk.smart.health", "sda"),
                       ("disk.nvme.critical_warning", "nvme0n1")):
        line = wait(lambda: metric(lab, code, disk))
        check(line is not None and line.endswith(" 0"),
              "%s of %s arrives, ok: %s" % (code, disk, line))
    helpers = [c for c in children(lab, spawner[0])] if spawner else []
    check(len(helpers) >= 1, "probe helpers are the spawner's children")
    for h in helpers:
        hs = status(lab, h)
        check(hs.get("Uid", "").split()[:1] == ["0"] and
              int(hs.get("CapEff", "0"), 16) == DEVICE_CAPS,
              "helper %s: %s, root, CapEff %s" % (h, hs.get("Name"),
                                                  hs.get("CapEff")))

    lab.qmp("qom-set", path="/machine/peripheral/nvme0",
            property="smart_critical_warning", value=0x04)
    e = wait(lambda: [e for e in lab.events()
                      if e["check"] == "disk.nvme.critical_warning" and
                      e["state"] == "critical"])
    check(e, "an NVMe critical warning injected now is raised")
    # A helper that dies is replaced through the spawner.
    for h in helpers:
        lab.run("kill -9 %s" % h)
    lab.qmp("qom-set", path="/machine/peripheral/nvme0",
            property="smart_critical_warning", value=0)
    e = wait(lambda: [e for e in lab.events()
                      if e["check"] == "disk.nvme.critical_warning" and
                      e["state"] == "ok"])
    check(e, "after its helpers were killed, fresh helpers read the "
          "recovery")
    rc, out = lab.run("cat /tmp/fw.log")
    check("running as 'forewarn' (uid 101), capabilities: none" in out,
          "the log says whom it runs as")
    check("refused" not in out, "the spawner refused nothing")
    rc, out = lab.run("ls -ln /tmp/state")
    check(all(line.split()[2] == "101" for line in out.splitlines()
              if line.startswith("-")), "the state files are forewarn's")

    lab.run("kill %s" % pid)
    gone = wait(lambda: lab.run("ls /run/forewarnd.pid")[0] != 0 and
                lab.run("pidof forewarnd")[0] != 0, 15)
    check(gone, "SIGTERM: every process gone, the pid file removed")

    # The configuration decides what the main process keeps.
    lab.run("printf '[agent]\\nhost = lab\\nstate_dir = /tmp/state\\n"
            "[sink:out]\\ntype = stdout\\n' > /tmp/fw2.conf")
    lab.spawn("forewarnd -c /tmp/fw2.conf --pid-file /run/forewarnd.pid "
              ">/dev/null 2>/tmp/fw2.log")
    pid = wait(lambda: main_pid(lab))
    rc, out = lab.run("cat /proc/sys/kernel/dmesg_restrict")
    want = 1 << CAP_NET_ADMIN
    if out.strip() == "1":
        want |= 1 << CAP_SYSLOG
    eff = int(status(lab, pid).get("CapEff", "0"), 16) if pid else -1
    check(eff == want, "with kmsg and net on (dmesg_restrict=%s): CapEff "
          "%x, wanted %x" % (out.strip(), eff, want))
    print("  main with kmsg and net (dmesg_restrict=%s): CapEff %016x" %
          (out.strip(), eff))
    rc, out = lab.run("cat /tmp/fw2.log")
    check("cannot read /dev/kmsg" not in out,
          "the kmsg collector reads /dev/kmsg as forewarn")
    if pid:
        lab.run("kill %s" % pid)
