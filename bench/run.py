#!/usr/bin/env python3
"""`make bench`: every bench in turn, then ONE table of the figures that
compare forewarnd with the reference tools, with the machine's
description, printed and written to bench/results/DATE.md (each bench
writes its own DATE-NAME.md beside it with the details).

A bench that fails or is skipped leaves its rows out and is named under
the table; the others still run.

    bench/run.py BUILD_DIR [BENCH...]
"""
import json
import os
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import benchlib  # noqa: E402

# The idle footprint first, while nothing else of the bench is running.
BENCHES = ["footprint", "disks", "diskscale", "nvme", "mdraid", "sensors",
           "kmsg", "netlink", "snmp", "router", "delivery"]
TITLES = {
    "footprint": "Idle footprint (every collector on, defaults)",
    "disks": "One disk scan, QEMU lab (AHCI + NVMe)",
    "diskscale": "100 disks, fixture trees",
    "nvme": "NVMe critical warning, QEMU lab",
    "mdraid": "md member failure, QEMU lab",
    "sensors": "Sensors pass, QEMU lab",
    "kmsg": "Kernel log classification",
    "netlink": "Carrier loss on veth; 1,000 interfaces",
    "snmp": "SNMP: 200 routers × 48 ports",
    "router": "Router link down, router lab",
    "delivery": "Alert delivery to Alertmanager",
}


def ratio_text(r):
    """Two decimals, or two significant digits when that shows nothing."""
    if r is None:
        return ""
    return "%.2f" % r if r >= 0.1 else "%.2g" % r


def main():
    build = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or BENCHES
    results = os.path.join(here, "results")
    summary_dir = os.path.join(build, "bench-summary")
    os.makedirs(summary_dir, exist_ok=True)
    # A full run starts afresh; naming benches re-runs those and keeps the
    # others' latest figures in the table (said under it).
    times_path = os.path.join(summary_dir, "times.json")
    earlier = {}
    if sys.argv[2:] and os.path.exists(times_path):
        with open(times_path) as f:
            earlier = {n: (st, s) for n, st, s in json.load(f)}
    for f in os.listdir(summary_dir):
        if not sys.argv[2:] or f[:-5] in names:
            os.unlink(os.path.join(summary_dir, f))
    env = dict(os.environ, FW_BENCH_SUMMARY=summary_dir)
    ran = []
    start = time.monotonic()
    for name in names:
        script = os.path.join(here, name + ".py")
        if not os.path.exists(script):
            ran.append((name, "missing", 0))
            continue
        print("==== bench/%s.py" % name, flush=True)
        t0 = time.monotonic()
        rc = subprocess.run([sys.executable, script, build, results],
                            env=env).returncode
        ran.append((name, "ok" if rc == 0 else "failed (exit %d)" % rc,
                    time.monotonic() - t0))
    total = time.monotonic() - start
    kept = [n for n in BENCHES if n in earlier and n not in names]
    ran = [(n, earlier[n][0], earlier[n][1]) for n in kept] + ran
    with open(times_path, "w") as f:
        json.dump(ran, f)
    lines = ["# forewarn benchmarks, %s" % benchlib.today(), "",
             "Machine: %s." % benchlib.machine(), "",
             "forewarnd ÷ reference: below 1 means forewarnd uses less (or "
             "is faster). Details, and what each figure includes, in the "
             "per-bench files of the same date and in bench/README.md.", "",
             "| bench | measure | forewarnd | reference | forewarnd ÷ "
             "reference |", "|---|---|---|---|---|"]
    for name, status, _ in ran:
        path = os.path.join(summary_dir, name + ".json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            rows = json.load(f)
        for what, fw, ref, ratio in rows:
            lines.append("| %s | %s | %s | %s | %s |" % (
                TITLES.get(name, name), what, fw, ref or "",
                ratio_text(ratio)))
    lines += ["", "Run time: %.0f s in all (%s)." % (total + sum(
        s for n, _, s in ran if n in kept), ", ".join(
        "%s %.0f s%s" % (n, s, "" if st == "ok" else " " + st)
        for n, st, s in ran))]
    if kept:
        lines.append("Re-run alone afterwards: %s; the rest from the run "
                     "before." % ", ".join(names))
    missing = [n for n, st, _ in ran
               if not os.path.exists(os.path.join(summary_dir, n + ".json"))]
    if missing:
        lines.append("No figures from: %s." % ", ".join(missing))
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    with open(os.path.join(results, "%s.md" % benchlib.today()), "w") as f:
        f.write(text)
    return 0 if all(st == "ok" for _, st, _ in ran) else 1


if __name__ == "__main__":
    sys.exit(main())
