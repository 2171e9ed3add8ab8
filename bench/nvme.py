#!/usr/bin/env python3
"""NVMe critical warning to alert, forewarnd beside smartd, in the QEMU lab.

The lab's NVMe controller gets a critical warning (bit 2, reliability
degraded) over QMP (`qom-set smart_critical_warning`).  The kernel takes
it as an asynchronous event (AEN) and sends a uevent for the controller;
forewarnd's disks collector does not listen for it yet, so both tools see
the warning at their next poll of the health log:
- forewarnd: the disks collector at interval INTERVAL, running all along;
  the event's own `time`;
- smartd `-i INTERVAL` with `/dev/nvme0 -H -m <nomailer> -M exec P`,
  started fresh each round (it warns once per problem): when P stamped.
Each round starts smartd, waits a random part of the interval (so the
injection falls at a random phase of both polls), injects, waits for both,
clears the warning and lets forewarnd see the recovery.  Times are on the
guest's clock; the host's injection moment is carried over by an offset
measured through the guest channel.  Medians and p99 (the maximum, with
this few rounds) of ROUNDS.

    bench/nvme.py BUILD_DIR [RESULTS_DIR]
"""
import datetime
import os
import random
import statistics
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "tests", "lab"))
import benchlib  # noqa: E402
from lab import Lab  # noqa: E402

ROUNDS = 4
INTERVAL = 10           # smartd's shortest
CONF = ("[agent]\\nhost = bench\\nstate_dir = /tmp/state\\n"
        "flap_changes = 0\\n[host]\\nenabled = no\\n[mdraid]\\nenabled = no"
        "\\n[hwraid]\\nenabled = no\\n[kmsg]\\nenabled = no\\n[net]\\n"
        "enabled = no\\n[sensors]\\nenabled = no\\n[disks]\\ninterval = "
        "%ds\\ndeadline = 10s\\n" % INTERVAL)
SMARTD_CONF = "/dev/nvme0 -H -m <nomailer> -M exec /tmp/prog.sh\\n"
PROG = "#!/bin/sh\\necho \"$(stamp)\" >>/tmp/smartd.events\\n"


def stamp(text):
    t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def offset(lab):
    """guest clock - host clock, through the command channel."""
    best = None
    for _ in range(5):
        t0 = time.time()
        rc, out = lab.run("stamp")
        t1 = time.time()
        if best is None or t1 - t0 < best[0]:
            best = (t1 - t0, float(out.split()[0]) - (t0 + t1) / 2)
    return best[1]


def warning(lab, value):
    lab.qmp("qom-set", path="/machine/peripheral/nvme0",
            property="smart_critical_warning", value=value)
    return time.time()


def fw_state(lab, seen, state):
    for e in lab.events()[seen:]:
        if e["check"] == "disk.nvme.critical_warning" and \
                e["state"] == state:
            return e
    return None


def round_once(lab, off):
    seen = len(lab.events())
    lab.run("rm -f /tmp/smartd.events")
    rc, out = lab.run("(smartd -n -i %d -w /tmp/prog.sh -c /tmp/smartd.conf"
                      ") >/dev/null 2>&1 & echo $!" % INTERVAL)
    smartd = int(out.split()[-1])
    time.sleep(2 + random.uniform(0, INTERVAL))
    t0 = warning(lab, 0x04) + off
    fw = sd = None
    end = time.time() + 3 * INTERVAL
    while time.time() < end and (fw is None or sd is None):
        time.sleep(0.3)
        e = fw_state(lab, seen, "critical")
        if e and fw is None:
            fw = stamp(e["time"]) - t0
        rc, out = lab.run("cat /tmp/smartd.events 2>/dev/null")
        if out.split() and sd is None:
            sd = float(out.split()[0]) - t0
    lab.run("kill %d" % smartd)
    seen = len(lab.events())
    warning(lab, 0)
    end = time.time() + 3 * INTERVAL
    while time.time() < end and fw_state(lab, seen, "ok") is None:
        time.sleep(0.5)
    return fw, sd


def main():
    build = sys.argv[1]
    results = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here,
                                                                  "results")
    fws, sds = [], []
    with Lab(build) as lab:
        lab.run("printf '%s' >/tmp/fw.conf; printf '%s' >/tmp/smartd.conf; "
                "printf '%s' >/tmp/prog.sh; chmod +x /tmp/prog.sh"
                % (CONF, SMARTD_CONF, PROG))
        lab.spawn("forewarnd -c /tmp/fw.conf >/tmp/events.jsonl "
                  "2>/tmp/fw.log")
        time.sleep(3)
        off = offset(lab)
        for _ in range(ROUNDS):
            fw, sd = round_once(lab, off)
            if fw is not None:
                fws.append(fw)
            if sd is not None:
                sds.append(sd)
        kernel = lab.kernel_version
    lines = ["# NVMe critical warning to alert, %s" % benchlib.today(), "",
             "QEMU lab (TCG, 1 vCPU, Debian kernel %s): critical warning "
             "bit 2 set over QMP at a random phase, %d rounds; both tools "
             "poll the health log every %d s." % (kernel, ROUNDS, INTERVAL),
             "", "| watcher | rounds seen | median s | max s |",
             "|---|---|---|---|"]
    for what, xs in (("forewarnd, disks collector (event `time`)", fws),
                     ("smartd -H, -M exec (its program's stamp)", sds)):
        if xs:
            lines.append("| %s | %d of %d | %.2f | %.2f |" % (
                what, len(xs), ROUNDS, statistics.median(xs), max(xs)))
        else:
            lines.append("| %s | 0 of %d | | |" % (what, ROUNDS))
    lines += ["", "Both are bounded by their poll interval (forewarnd's "
              "default 5 min, smartd's 30 min): the kernel's AEN uevent "
              "for the controller is not listened to yet."]
    summary = []
    if fws and sds:
        summary.append(("NVMe critical warning → alert, both polling every "
                        "%d s (median)" % INTERVAL,
                        "%.1f s" % statistics.median(fws),
                        "%.1f s (smartd)" % statistics.median(sds),
                        statistics.median(fws) / statistics.median(sds)))
    text = "\n".join(lines) + "\n"
    print(text)
    benchlib.write(results, "nvme", text, summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
