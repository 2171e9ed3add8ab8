#!/usr/bin/env python3
"""The sysfs side of a disk scan with 100 disks, beside node_exporter's
diskstats collector reading the same fixture tree.

Fixture roots are generated under a temp dir from tests/fixtures/disks/hang
(its /etc and /proc), with N disks in /sys/block: three in five libata
disks (sdX: vendor ATA, model, VPD page 80h serial, ioerr_cnt, iotmo_cnt,
state), three in ten NVMe namespaces (nvmeXn1 and their controllers in
/sys/class/nvme) and one in ten virtio disks, and a /proc/diskstats line
each.  No /dev nodes: SMART and the NVMe log go through the probe helper
to real devices, which a fixture cannot stand for (bench/disks.py measures
them in the QEMU lab); here each disk is listed, identified, its error
counters and diskstats read and judged, and its checks committed.

- forewarnd: `forewarnd --once --root ROOT` with only the disks collector,
  CPU (wait4) as the median of REPEAT runs, with 1 and with N disks; and
  callgrind instruction counts of both, the difference per disk;
- node_exporter --collector.diskstats with --path.procfs/--path.sysfs on
  the same roots (it reads /proc/diskstats and the queue attributes),
  scraped REPEAT times: CPU per scrape from schedstat.

    bench/diskscale.py BUILD_DIR [RESULTS_DIR]
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import benchlib  # noqa: E402

N = 100
REPEAT = 5
BASE = os.path.join(here, "..", "tests", "fixtures", "disks", "hang")
CONF = ("[agent]\nhost = bench\n[host]\nenabled = no\n[mdraid]\n"
        "enabled = no\n[hwraid]\nenabled = no\n[kmsg]\nenabled = no\n"
        "[net]\nenabled = no\n[sensors]\nenabled = no\n[disks]\n"
        "deadline = 5s\n")
NE = "127.0.0.1:19101"


def put(root, rel, text):
    path = os.path.join(root, rel.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w" if isinstance(text, str) else "wb") as f:
        f.write(text)


def letters(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(97 + r) + s
    return s


def make_root(root, n):
    shutil.copytree(os.path.join(BASE, "etc"), os.path.join(root, "etc"))
    shutil.copytree(os.path.join(BASE, "proc"), os.path.join(root, "proc"))
    os.makedirs(os.path.join(root, "dev"))
    stats = []
    for i in range(n):
        kind = i % 10
        if kind < 6:
            name = "sd" + letters(i)
            dev = "/sys/block/%s/device/" % name
            put(root, dev + "vendor", "ATA     \n")
            put(root, dev + "model", "BENCH SSD %04d\n" % i)
            serial = ("BENCH%08d" % i).encode()
            put(root, dev + "vpd_pg80",
                bytes([0, 0x80, 0, len(serial)]) + serial)
            put(root, dev + "ioerr_cnt", "0x%x\n" % (i % 3))
            put(root, dev + "iotmo_cnt", "0x0\n")
            put(root, dev + "state", "running\n")
            major, minor = 8, 16 * i
        elif kind < 9:
            ctrl = "nvme%d" % i
            name = ctrl + "n1"
            put(root, "/sys/class/nvme/%s/serial" % ctrl, "NV%08d\n" % i)
            put(root, "/sys/class/nvme/%s/model" % ctrl, "BENCH NVME\n")
            os.makedirs(os.path.join(root, "sys/block", name))
            os.symlink("../../class/nvme/%s" % ctrl,
                       os.path.join(root, "sys/block", name, "device"))
            put(root, "/sys/block/%s/wwid" % name, "eui.%016x\n" % i)
            major, minor = 259, i
        else:
            name = "vd" + letters(i)
            put(root, "/sys/block/%s/serial" % name, "VIRT%06d\n" % i)
            major, minor = 254, 16 * i
        put(root, "/sys/block/%s/size" % name, "1953525168\n")
        put(root, "/sys/block/%s/queue/rotational" % name, "0\n")
        put(root, "/sys/block/%s/queue/logical_block_size" % name, "512\n")
        stats.append("%4d %7d %s %d 0 %d 0 %d 0 %d 0 0 %d %d 0 0 0 0 0 0"
                     % (major, minor, name, 1000 + i, 8000 + i, 500 + i,
                        4000 + i, 3000, 3500))
    put(root, "/proc/diskstats", "\n".join(stats) + "\n")


def fw_once(build, root, work, tag):
    conf = os.path.join(work, "fw.conf")
    with open(conf, "w") as f:
        f.write(CONF)
    state = os.path.join(work, "state-" + tag)
    p = subprocess.Popen([os.path.join(build, "forewarnd"), "--once", "-c",
                          conf, "--root", root, "--state-dir", state,
                          "--format", "json"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, _, ru = os.wait4(p.pid, 0)
    shutil.rmtree(state, ignore_errors=True)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def fw_instructions(build, root, work, tag):
    conf = os.path.join(work, "fw.conf")
    out = os.path.join(work, "cg." + tag)
    subprocess.run(["valgrind", "--tool=callgrind", "--trace-children=yes",
                    "--callgrind-out-file=" + out + ".%p",
                    os.path.join(build, "forewarnd"), "--once", "-c", conf,
                    "--root", root, "--state-dir",
                    os.path.join(work, "cgstate-" + tag)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return sum(benchlib.callgrind_total(os.path.join(work, f)) or 0
               for f in os.listdir(work) if f.startswith("cg.%s." % tag))


def ne_scrapes(root):
    """node_exporter's CPU s per scrape of the diskstats collector."""
    p = subprocess.Popen(["prometheus-node-exporter", "--web.listen-address="
                          + NE, "--collector.disable-defaults",
                          "--collector.diskstats", "--path.procfs",
                          os.path.join(root, "proc"), "--path.sysfs",
                          os.path.join(root, "sys"), "--log.level=warn"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        benchlib.wait_http("http://%s/metrics" % NE)
        cpus, series = [], 0
        for _ in range(REPEAT):
            c0 = benchlib.cpu_ns([p.pid])
            with urllib.request.urlopen("http://%s/metrics" % NE) as r:
                text = r.read().decode()
            cpus.append((benchlib.cpu_ns([p.pid]) - c0) / 1e9)
            series = sum(1 for line in text.splitlines()
                         if line.startswith("node_disk_"))
        return statistics.median(cpus), series
    finally:
        p.terminate()
        p.wait()


def main():
    build = os.path.abspath(sys.argv[1])
    results = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here,
                                                                  "results")
    work = tempfile.mkdtemp(prefix="fwbench-disks-")
    res = {}
    try:
        for n in (1, N):
            root = os.path.join(work, "root-%d" % n)
            make_root(root, n)
            runs = [fw_once(build, root, work, "%d-%d" % (n, k))
                    for k in range(REPEAT)]
            ins = (fw_instructions(build, root, work, str(n))
                   if shutil.which("valgrind") else None)
            ne = (ne_scrapes(root) if shutil.which("prometheus-node-exporter")
                  else None)
            res[n] = (statistics.median(r[0] for r in runs),
                      max(r[1] for r in runs), ins, ne)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (c1, r1, i1, ne1), (cn, rn, i_n, nen) = res[1], res[N]
    lines = ["# %d disks from fixture trees, %s" % (N, benchlib.today()), "",
             "%s. Generated roots: 6 in 10 libata disks, 3 in 10 NVMe "
             "namespaces, 1 in 10 virtio disks, a diskstats line each, no "
             "/dev nodes (the sysfs side only). forewarnd: `--once --root` "
             "with only the disks collector (start-up included), CPU from "
             "wait4, median of %d. node_exporter 1.5 (Debian) "
             "`--collector.diskstats` on the same roots, CPU per scrape "
             "(schedstat), median of %d." % (benchlib.machine(), REPEAT,
                                             REPEAT), "",
             "| what | 1 disk | %d disks | per disk |" % N,
             "|---|---|---|---|",
             "| forewarnd --once CPU ms | %.1f | %.1f | %.3f |"
             % (c1 * 1e3, cn * 1e3, (cn - c1) * 1e3 / (N - 1)),
             "| forewarnd peak RSS KiB | %d | %d | %.1f |"
             % (r1, rn, (rn - r1) / (N - 1))]
    summary = []
    if i1 and i_n:
        per = (i_n - i1) / (N - 1)
        lines.append("| forewarnd instructions (callgrind, with the probe "
                     "helper) | %d | %d | %d |" % (i1, i_n, per))
        summary.append(("%d disks (fixtures, sysfs side): instructions per "
                        "disk" % N, "%d" % per, "", None))
    if ne1 and nen:
        lines.append("| node_exporter diskstats scrape CPU ms (%d and %d "
                     "series) | %.2f | %.2f | %.3f |" % (
                         ne1[1], nen[1], ne1[0] * 1e3, nen[0] * 1e3,
                         (nen[0] - ne1[0]) * 1e3 / (N - 1)))
        fw_per = (cn - c1) / (N - 1)
        ne_per = (nen[0] - ne1[0]) / (N - 1)
        if ne_per > 0:
            lines += ["", "Per disk, forewarnd ÷ node_exporter (CPU): %.2f."
                      % (fw_per / ne_per)]
            summary.append(("%d disks (fixtures): CPU per disk per scan" % N,
                            "%.3f ms" % (fw_per * 1e3),
                            "%.3f ms (node_exporter diskstats)"
                            % (ne_per * 1e3), fw_per / ne_per))
    text = "\n".join(lines) + "\n"
    print(text)
    benchlib.write(results, "diskscale", text, summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
