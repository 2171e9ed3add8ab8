#!/usr/bin/env python3
"""md state change to alert, forewarnd beside mdadm --monitor, in the QEMU lab.

A RAID1 over the lab's two virtio disks.  forewarnd (the mdraid collector
with its periodic poll at 1 h, so only the kernel's notifications wake it)
and `mdadm --monitor --scan --delay 3600 --program P` run side by side.  Each
round marks a member faulty by writing "faulty" to md/dev-vdb/state (the
kernel's state change itself, with no mdadm run in front of it), then waits
for both to have reported, then removes, re-adds and resyncs the member.

Measured, on the guest's wall clock:
- forewarnd: the event's own `time` (when it entered the store and outbox)
  of the first raid.member_faulty or raid.degraded raise after the write;
- mdadm --monitor: the moment its PROGRAM stamped the Fail event.  mdadm
  alerts by running that program, so the program's start-up is part of its
  path; it is measured alone too (a shell starting the same program) and
  given beside, so it can be subtracted.

Each figure is the median of ROUNDS rounds.  The guest runs under TCG on one
vCPU: absolute times are slow, the ratio is what compares.

    bench/mdraid.py BUILD_DIR [RESULTS_DIR]
"""
import datetime
import os
import statistics
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "tests", "lab"))
import benchlib  # noqa: E402
from lab import Lab  # noqa: E402

ROUNDS = 6
CONF = ("[agent]\\nhost = bench\\nstate_dir = /tmp/state\\nflap_changes = 0\\n"
        "[host]\\nenabled = no\\n[disks]\\nenabled = no\\n"
        "[hwraid]\\nenabled = no\\n[mdraid]\\ninterval = 1h\\n")
PROG = "#!/bin/sh\\necho \"$1 $(stamp)\" >>/tmp/mdadm.events\\n"


def stamp(text):
    """RFC 3339 with milliseconds (forewarnd's `time`) to epoch seconds."""
    t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def mdadm_events(lab):
    rc, out = lab.run("cat /tmp/mdadm.events 2>/dev/null")
    return [(w[0], float(w[1])) for w in
            (line.split() for line in out.splitlines()) if len(w) == 2]


def round_once(lab):
    seen_fw = len(lab.events())
    seen_md = len(mdadm_events(lab))
    rc, out = lab.run("stamp; echo faulty >/sys/block/md0/md/dev-vdb/"
                      "state")
    t0 = float(out.split()[0])
    fw = md = None
    end = time.time() + 30
    while time.time() < end and (fw is None or md is None):
        time.sleep(0.5)
        for e in lab.events()[seen_fw:]:
            if (e["check"] in ("raid.member_faulty", "raid.degraded") and
                    e["state"] == "critical" and fw is None):
                fw = stamp(e["time"]) - t0
        for name, t in mdadm_events(lab)[seen_md:]:
            if name == "Fail" and md is None:
                md = t - t0
    # Back to a clean array for the next round.
    lab.run("echo remove >/sys/block/md0/md/dev-vdb/state; "
            "mdadm --zero-superblock /dev/vdb; mdadm /dev/md0 --add /dev/vdb "
            ">/dev/null 2>&1; mdadm --wait /dev/md0", timeout=300)
    time.sleep(2)
    return fw, md


def program_startup(lab):
    """The program's own start-up: a shell runs it, as mdadm would."""
    rc, out = lab.run("rm -f /tmp/p.events; sed 's|mdadm.events|p.events|' "
                      "/tmp/prog.sh >/tmp/p.sh; chmod +x /tmp/p.sh; for i in "
                      "1 2 3 4 5 6 7; do stamp; /tmp/p.sh Fail "
                      "/dev/md0; done")
    starts = [float(x) for x in out.split()]
    rc, out = lab.run("cat /tmp/p.events")
    ends = [float(line.split()[1]) for line in out.splitlines()]
    return statistics.median(e - s for s, e in zip(starts, ends))


def main():
    build = sys.argv[1]
    results = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here,
                                                                  "results")
    fws, mds = [], []
    with Lab(build) as lab:
        rc, out = lab.run("mdadm --create /dev/md0 --level=1 "
                          "--raid-devices=2 /dev/vda /dev/vdb --run "
                          "--metadata=1.2 >/dev/null 2>&1; mdadm --wait "
                          "/dev/md0; cat /proc/mdstat")
        if "[UU]" not in out:
            raise RuntimeError("no clean RAID1: %s" % out)
        lab.run("printf '%s' >/tmp/fw.conf; printf '%s' >/tmp/prog.sh; "
                "chmod +x /tmp/prog.sh" % (CONF, PROG))
        lab.spawn("forewarnd -c /tmp/fw.conf >/tmp/events.jsonl "
                  "2>/tmp/fw.log")
        lab.spawn("mdadm --monitor --scan --delay 3600 --program "
                  "/tmp/prog.sh")
        time.sleep(4)
        for _ in range(ROUNDS):
            fw, md = round_once(lab)
            if fw is None or md is None:
                raise RuntimeError("a round without both alerts: forewarnd "
                                   "%s, mdadm %s" % (fw, md))
            fws.append(fw * 1000)
            mds.append(md * 1000)
        prog = program_startup(lab) * 1000
        kernel = lab.kernel_version
    fw, md = statistics.median(fws), statistics.median(mds)
    lines = ["# md state change to alert, %s" % datetime.date.today()
             .isoformat(), "",
             "QEMU lab (TCG, 1 vCPU, Debian kernel %s): RAID1 over two virtio "
             "disks; a member marked faulty through sysfs, %d rounds. Both "
             "watchers poll only once an hour: what wakes them is the "
             "kernel's notification." % (kernel, ROUNDS), "",
             "| watcher | median ms | min | max | forewarnd ÷ it |",
             "|---|---|---|---|---|",
             "| forewarnd (event in the outbox) | %.0f | %.0f | %.0f | 1 |"
             % (fw, min(fws), max(fws)),
             "| mdadm --monitor (its PROGRAM's stamp) | %.0f | %.0f | %.0f | "
             "%.2f |" % (md, min(mds), max(mds), fw / md if md else 0),
             "| mdadm --monitor less its PROGRAM's start-up (%.0f ms) | %.0f "
             "| | | %.2f |" % (prog, md - prog, fw / (md - prog)
                               if md > prog else 0)]
    lines += ["", "p99 (the largest of %d rounds): forewarnd %.0f ms, mdadm "
              "%.0f ms." % (ROUNDS, benchlib.pct(fws, 99),
                            benchlib.pct(mds, 99))]
    text = "\n".join(lines) + "\n"
    print(text)
    summary = [("member faulty → alert, median (p99)", "%.0f ms (%.0f)" % (
        fw, benchlib.pct(fws, 99)), "%.0f ms (%.0f) (mdadm --monitor)" % (
            md, benchlib.pct(mds, 99)), fw / md if md else None)]
    if md > prog:
        summary.append(("the same, mdadm less its program's start-up",
                        "%.0f ms" % fw, "%.0f ms (mdadm)" % (md - prog),
                        fw / (md - prog)))
    benchlib.write(results, "mdraid", text, summary)


if __name__ == "__main__":
    main()
