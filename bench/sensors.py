#!/usr/bin/env python3
"""Cost of a full sensors pass in the QEMU lab, per feature, beside collectd's
sensors plugin and `sensors -u` in the same run.

The guest gets eight lm75 chips on i2c-stub beside the NVMe controller's
hwmon chip: nine temperature features.  forewarnd (only the sensors
collector, libsensors backend) and collectd (only its sensors plugin) each
run as daemons polling every 100 ms for SECONDS; their CPU time (utime +
stime from /proc/PID/stat) is divided by the passes they made and by the
features.  forewarnd's pass includes the judgement of every feature, the
trend fit and the store commit; collectd's the reading and dispatch of every
value.  `sensors -u` runs REPEAT times: one pass is one process (start-up,
sensors.conf, every chip).  The guest runs under TCG, so absolute figures
are slow; the ratios are what compare.

    bench/sensors.py BUILD_DIR [RESULTS_DIR]
"""
import datetime
import os
import re
import statistics
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "tests", "lab"))
import benchlib  # noqa: E402
from lab import Lab  # noqa: E402

SECONDS = 6
ROUNDS = 3
REPEAT = 10
ADDRS = [0x48 + i for i in range(8)]
FW_CONF = ("[agent]\\nhost = bench\\nstate_dir = /tmp/fwstate\\n"
           "[host]\\ninterval = 1h\\n[disks]\\nenabled = no\\n"
           "[mdraid]\\nenabled = no\\n[kmsg]\\nenabled = no\\n"
           "[hwraid]\\nenabled = no\\n"
           "[sensors]\\ninterval = 100ms\\nedac = no\\n")
Q = "\\042"      # a double quote through the guest's printf
CD_CONF = ("Hostname {q}bench{q}\\nFQDNLookup false\\n"
           "BaseDir {q}/tmp/cd{q}\\nPIDFile {q}/tmp/cd/pid{q}\\n"
           "PluginDir {q}/usr/lib/collectd{q}\\n"
           "TypesDB {q}/usr/share/collectd/types.db{q}\\nInterval 0.1\\n"
           "LoadPlugin sensors\\n").format(q=Q)


def ticks(lab, pid):
    """utime + stime of pid in clock ticks."""
    rc, out = lab.run("cat /proc/%d/stat" % pid)
    fields = out.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def daemon_cpu(lab, command, polls_of):
    """CPU seconds per pass of a daemon started by command."""
    rc, out = lab.run("(%s) >/dev/null 2>&1 & echo $!" % command)
    pid = int(out.strip().splitlines()[-1])
    time.sleep(3)
    t0, p0 = ticks(lab, pid), polls_of()
    time.sleep(SECONDS)
    t1, p1 = ticks(lab, pid), polls_of()
    lab.run("kill %d" % pid)
    return (t1 - t0) / 100.0, p1 - p0


def fw_polls(lab):
    rc, out = lab.run("grep -c \"collector 'sensors' polled\" /tmp/fw.log")
    return int(out.strip() or 0)


def sensors_u(lab):
    """Median wall and CPU seconds of one `sensors -u`."""
    walls, cpus = [], []
    for _ in range(REPEAT):
        rc, out = lab.run("time -v sensors -u >/dev/null 2>/tmp/t.out; "
                          "cat /tmp/t.out")
        m = re.search(r"Elapsed \(wall clock\) time \([^)]*\): "
                      r"(?:(\d+)h )?(\d+)m ([\d.]+)s", out)
        u = re.search(r"User time \(seconds\): ([\d.]+)", out)
        s = re.search(r"System time \(seconds\): ([\d.]+)", out)
        walls.append(int(m.group(2)) * 60 + float(m.group(3)))
        cpus.append(float(u.group(1)) + float(s.group(1)))
    return statistics.median(walls), statistics.median(cpus)


def setup(lab):
    lab.run("modprobe i2c-dev; modprobe i2c-stub chip_addr=%s; modprobe lm75"
            % ",".join("0x%02x" % a for a in ADDRS))
    rc, out = lab.run("grep -l 'SMBus stub' /sys/bus/i2c/devices/i2c-*/name")
    bus = int(out.strip().split("/")[-2].split("-")[1])
    for a in ADDRS:
        lab.run("i2cset -y %d 0x%02x 3 0x0050 w; i2cset -y %d 0x%02x 2 "
                "0x004b w; i2cset -y %d 0x%02x 0 0x002d w; echo lm75 0x%02x "
                ">/sys/bus/i2c/devices/i2c-%d/new_device"
                % (bus, a, bus, a, bus, a, a, bus))
    rc, out = lab.run("sensors -u")
    features = len(re.findall(r"^\S.*:$", out, re.M))
    values = len(re.findall(r"^  \w+: ", out, re.M))
    return features, values


def main():
    build = sys.argv[1]
    results = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here,
                                                                  "results")
    with Lab(build) as lab:
        features, values = setup(lab)
        lab.run("printf '%s' >/tmp/fw.conf; mkdir -p /tmp/cd; "
                "printf '%s' >/tmp/cd.conf" % (FW_CONF, CD_CONF))
        rc, _ = lab.run("test -x /usr/local/bin/collectd")
        have_cd = rc == 0
        # Interleaved rounds, medians: the host's load drifts.
        fw_runs, cd_runs = [], []
        for _ in range(ROUNDS):
            lab.run("rm -rf /tmp/fwstate")
            cpu, n = daemon_cpu(lab, "forewarnd -c /tmp/fw.conf -vv "
                                "2>/tmp/fw.log", lambda: fw_polls(lab))
            fw_runs.append((cpu / n, n))
            if have_cd:
                cpu, _ = daemon_cpu(lab, "collectd -f -C /tmp/cd.conf",
                                    lambda: 0)
                cd_runs.append((cpu / (SECONDS * 10), SECONDS * 10))
        su = sensors_u(lab)
        kernel = lab.kernel_version
    fw_pass = statistics.median(r[0] for r in fw_runs)
    fw_n = sum(r[1] for r in fw_runs)
    cd = None
    if cd_runs:
        cd = (statistics.median(r[0] for r in cd_runs),
              sum(r[1] for r in cd_runs))
    spread = "forewarnd %.2f–%.2f ms" % (min(r[0] for r in fw_runs) * 1e3,
                                         max(r[0] for r in fw_runs) * 1e3)
    if cd_runs:
        spread += ", collectd %.2f–%.2f ms" % (
            min(r[0] for r in cd_runs) * 1e3, max(r[0] for r in cd_runs) * 1e3)
    # The values each has per pass: forewarnd and sensors -u every one
    # (inputs, limits, flags; forewarnd re-reads limits every tenth pass),
    # collectd one input per feature.
    rows = [("forewarnd, sensors collector (libsensors), per pass",
             fw_pass, fw_n, values)]
    if cd:
        rows.append(("collectd 5.12 sensors plugin, per interval",
                     cd[0], cd[1], features))
    rows.append(("sensors -u, one process", su[1], REPEAT, values))
    lines = ["# Sensors pass cost, %s" % datetime.date.today().isoformat(),
             "", "QEMU lab (TCG, 1 vCPU, Debian kernel %s): %d features "
             "(%d values) on nine chips — eight lm75 on i2c-stub and the "
             "NVMe controller's. Daemons poll every 100 ms for %d s after a "
             "3 s warm-up, in %d interleaved rounds (medians); CPU is utime+stime from /proc/PID/stat (10 ms "
             "ticks); forewarnd reads inputs and flags every pass and limits "
             "every tenth. `sensors -u`: median of %d runs." % (
                 kernel, features, values, SECONDS, ROUNDS, REPEAT), "",
             "| what | passes | values per pass | CPU ms per pass | µs per "
             "feature | µs per value | forewarnd ÷ it (per feature) |",
             "|---|---|---|---|---|---|---|"]
    for name, per, n, nv in rows:
        lines.append("| %s | %d | %d | %.2f | %.0f | %.0f | %.2f |" % (
            name, n, nv, per * 1000, per * 1e6 / features, per * 1e6 / nv,
            fw_pass / per if per else 0))
    lines += ["", "Per pass, the range over the %d rounds: %s. `sensors -u` "
              "wall time per run (median): %.3f s." % (ROUNDS, spread,
                                                      su[0])]
    text = "\n".join(lines) + "\n"
    print(text)
    summary = [("CPU per pass per feature, emulated", "%.0f µs" % (
        fw_pass * 1e6 / features), "%.0f µs (%s)" % (
            per * 1e6 / features, name.split(",")[0]), fw_pass / per)
        for name, per, n, nv in rows[1:] if per]
    benchlib.write(results, "sensors", text, summary)


if __name__ == "__main__":
    main()
