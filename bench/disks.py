#!/usr/bin/env python3
"""Disk scan cost in the QEMU lab, beside the reference tools in the same run.

For the lab's AHCI (ATA SMART) and NVMe disks: wall time, CPU (user+sys) and
peak RSS of one full scan by `forewarnd --once` restricted to the disks
collector, against `smartctl -a` on each disk and `smartd -q onecheck` over
both.  Each command runs REPEAT times; medians are reported, with the ratio
forewarnd / reference.  The guest runs under TCG emulation, so absolute
figures are slow; the ratios are what compare.

    bench/disks.py BUILD_DIR [RESULTS_DIR]
"""
import datetime
import os
import re
import statistics
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "tests", "lab"))
import benchlib  # noqa: E402
from lab import Lab  # noqa: E402

REPEAT = 3
CONF = ("[agent]\\nhost = bench\\n[host]\\nenabled = no\\n"
        "[disks]\\ndeadline = 30s\\n")
SMARTD_CONF = "/dev/sda -a\\n/dev/nvme0 -a\\n"


def measure(lab, command):
    """Median wall s, CPU s, max RSS KiB of command over REPEAT runs."""
    walls, cpus, rss = [], [], []
    for _ in range(REPEAT):
        rc, out = lab.run("time -v %s >/dev/null 2>/tmp/t.out; cat /tmp/t.out"
                          % command, timeout=300)
        m = re.search(r"Elapsed \(wall clock\) time \([^)]*\): "
                      r"(?:(\d+)h )?(\d+)m ([\d.]+)s", out)
        u = re.search(r"User time \(seconds\): ([\d.]+)", out)
        s = re.search(r"System time \(seconds\): ([\d.]+)", out)
        r = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out)
        if not (m and u and s and r):
            raise RuntimeError("cannot read time -v output: %s" % out)
        walls.append(int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 +
                     float(m.group(3)))
        cpus.append(float(u.group(1)) + float(s.group(1)))
        rss.append(int(r.group(1)))
    return statistics.median(walls), statistics.median(cpus), max(rss)


def instructions(lab, command):
    """Instructions callgrind counts for command and its forks, or None."""
    rc, _ = lab.run("test -x /usr/local/bin/valgrind.bin")
    if rc != 0:
        return None
    rc, out = lab.run("rm -f /tmp/cg.*; valgrind --tool=callgrind "
                      "--callgrind-out-file=/tmp/cg.%%p %s >/dev/null 2>&1; "
                      "cat /tmp/cg.* | grep -E '^(summary|totals):'" % command,
                      timeout=600)
    totals = [int(line.split()[1]) for line in out.splitlines()
              if line.startswith("summary:")]
    return sum(totals) if totals else None


def main():
    build = sys.argv[1]
    results = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here,
                                                                  "results")
    rows = []
    with Lab(build) as lab:
        lab.run("printf '%s' >/tmp/fw.conf; printf '%s' >/tmp/smartd.conf"
                % (CONF, SMARTD_CONF))
        fw = measure(lab, "forewarnd --once -c /tmp/fw.conf")
        refs = [("smartctl -a /dev/sda + /dev/nvme0", [
                    measure(lab, "smartctl -a /dev/sda"),
                    measure(lab, "smartctl -a /dev/nvme0")]),
                ("smartd -q onecheck (sda, nvme0)", [
                    measure(lab, "smartd -q onecheck -c /tmp/smartd.conf")])]
        ins = {"fw": instructions(lab, "forewarnd --once -c /tmp/fw.conf")}
        a = instructions(lab, "smartctl -a /dev/sda")
        b = instructions(lab, "smartctl -a /dev/nvme0")
        ins["smartctl"] = a + b if a and b else None
        ins["smartd"] = instructions(lab, "smartd -q onecheck -c "
                                     "/tmp/smartd.conf")
        kernel = lab.kernel_version
    lines = ["# Disk scan cost, %s" % datetime.date.today().isoformat(), "",
             "QEMU lab (TCG, 1 vCPU, Debian kernel %s): one AHCI disk with "
             "ATA SMART and one NVMe disk; also two virtio disks that "
             "forewarnd lists and opens. Medians of %d runs; RSS is the "
             "largest seen." % (kernel, REPEAT), "",
             "| what | wall s | CPU s | max RSS KiB | forewarnd ÷ it (wall, CPU, RSS) |",
             "|---|---|---|---|---|",
             "| forewarnd --once (disks collector) | %.3f | %.3f | %d | 1, 1, 1 |"
             % fw]
    for name, parts in refs:
        wall = sum(p[0] for p in parts)
        cpu = sum(p[1] for p in parts)
        rss = max(p[2] for p in parts)
        lines.append("| %s | %.3f | %.3f | %d | %.2f, %.2f, %.2f |" % (
            name, wall, cpu, rss, fw[0] / wall, fw[1] / cpu if cpu else 0,
            fw[2] / rss))
    if ins["fw"]:
        lines += ["", "Instructions (callgrind, the process and its forks; "
                  "repeatable):", "",
                  "| what | instructions | forewarnd ÷ it |", "|---|---|---|",
                  "| forewarnd --once (disks collector) | %d | 1 |" % ins["fw"]]
        for key, name in (("smartctl", "smartctl -a /dev/sda + /dev/nvme0"),
                          ("smartd", "smartd -q onecheck (sda, nvme0)")):
            if ins[key]:
                lines.append("| %s | %d | %.2f |" % (name, ins[key],
                                                     ins["fw"] / ins[key]))
    text = "\n".join(lines) + "\n"
    print(text)
    summary = []
    for key, name, parts in (("smartctl", "smartctl -a, both", refs[0][1]),
                             ("smartd", "smartd -q onecheck", refs[1][1])):
        cpu = sum(p[1] for p in parts)
        if ins["fw"] and ins[key]:
            summary.append(("instructions (callgrind)", "%.1f M" % (
                ins["fw"] / 1e6), "%.1f M (%s)" % (ins[key] / 1e6, name),
                ins["fw"] / ins[key]))
        summary.append(("CPU, emulated (median)", "%.2f s" % fw[1],
                        "%.2f s (%s)" % (cpu, name),
                        fw[1] / cpu if cpu else None))
    benchlib.write(results, "disks", text, summary)


if __name__ == "__main__":
    main()
