#!/usr/bin/env python3
"""Kernel log classification: CPU per record with the full classifier table,
beside `grep -E -f` with the same patterns as a floor.

Two workloads of 200,000 records each, built from the real kernel lines of
tests/fixtures/kmsg/lines.tsv:
- typical: 1 record in 100 is one the table matches (a failing part), the
  rest are lines it must not match (boot chatter, near-misses);
- storm: every record is the same block-layer I/O error, sector by sector.

forewarn's side is bench/kmsg-classify: read(2)-shaped /dev/kmsg records,
each parsed (prefix, escapes, dictionary) and classified by the table (a
literal pre-filter, then POSIX regexec), as the collector does before
attribution.  grep's side is `LC_ALL=C grep -E -c -f PATTERNS` over the bare
message texts: one pass of a DFA over the same patterns, no record parsing.
Attribution (sysfs look-ups, cached per poll) and reporting are not in either.

Figures: instructions per record from callgrind (repeatable), wall time as
the median of 5 runs, records per second from that median.

    bench/kmsg.py BUILD_DIR [RESULTS_DIR]
"""
import datetime
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import benchlib  # noqa: E402

N = 50000
RUNS = 3


def tsv_lines():
    match, miss = [], []
    path = os.path.join(here, "..", "tests", "fixtures", "kmsg", "lines.tsv")
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            code, _, text = line.rstrip("\n").split("\t", 2)
            (miss if code == "-" else match).append(text)
    return match, miss


def write_workload(dirname, name, texts):
    rec = os.path.join(dirname, name + ".kmsg")
    txt = os.path.join(dirname, name + ".txt")
    with open(rec, "w") as r, open(txt, "w") as t:
        for i, text in enumerate(texts):
            r.write("3,%d,%d,-;%s\n" % (i + 1, i * 1000, text))
            t.write(text + "\n")
    return rec, txt


def instructions(cmd):
    p = subprocess.run(["valgrind", "--tool=callgrind",
                        "--callgrind-out-file=/dev/null"] + cmd,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, env=dict(os.environ, LC_ALL="C"))
    m = re.search(r"Collected : (\d+)", p.stderr)
    return int(m.group(1)) if m else None


def wall(cmd):
    times, out = [], ""
    for _ in range(RUNS):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True,
                           env=dict(os.environ, LC_ALL="C"))
        times.append(time.perf_counter() - t0)
        out = p.stdout
    return statistics.median(times), out.strip()


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    results = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here,
                                                                 "results")
    tool = os.path.join(build, "bench", "kmsg-classify")
    match, miss = tsv_lines()
    rnd = random.Random(1)
    typical = [rnd.choice(match) if i % 100 == 0 else rnd.choice(miss)
               for i in range(N)]
    storm = ["I/O error, dev sda, sector %d op 0x0:(READ) flags 0x0 "
             "phys_seg 1 prio class 0" % (2048 + 8 * i) for i in range(N)]
    rows = []
    with tempfile.TemporaryDirectory() as d:
        pat = os.path.join(d, "patterns")
        patterns = subprocess.run([tool, "--patterns"], check=True,
                                  stdout=subprocess.PIPE, text=True).stdout
        with open(pat, "w") as f:
            f.write(patterns)
        for name, texts in (("typical", typical), ("storm", storm)):
            rec, txt = write_workload(d, name, texts)
            fw_cmd = [tool, rec]
            gr_cmd = ["grep", "-E", "-c", "-f", pat, txt]
            fw_t, fw_out = wall(fw_cmd)
            gr_t, gr_out = wall(gr_cmd)
            fw_i = instructions(fw_cmd)
            gr_i = instructions(gr_cmd)
            rows.append((name, fw_out.split()[1], gr_out, fw_i, gr_i,
                         fw_t, gr_t))
    host = "%s, %d CPUs, %s" % (platform.node(), os.cpu_count(),
                                platform.release())
    out = ["# kernel log classification, %s" % datetime.date.today(),
           "", "Machine: %s. %d records per workload; %d rules." % (
               host, N, len(patterns.splitlines())),
           "", "| workload | matched (forewarn / grep) | instr/record "
           "forewarn | instr/record grep -E | ratio | records/s forewarn | "
           "records/s grep -E | wall ratio |",
           "|---|---|---|---|---|---|---|---|"]
    for name, fw_m, gr_m, fw_i, gr_i, fw_t, gr_t in rows:
        ipr = lambda x: "%.0f" % (x / N) if x else "n/a"
        ratio = "%.2f×" % (fw_i / gr_i) if fw_i and gr_i else "n/a"
        out.append("| %s | %s / %s | %s | %s | %s | %.0f | %.0f | %.2f× |" % (
            name, fw_m, gr_m, ipr(fw_i), ipr(gr_i), ratio, N / fw_t,
            N / gr_t, fw_t / gr_t))
    out += ["", "Ratios above 1 mean forewarn costs more than the floor. "
            "grep counts lines matching any pattern; forewarn counts records "
            "it classified (the same patterns, first match wins)."]
    text = "\n".join(out) + "\n"
    print(text)
    summary = [("instructions per record, %s" % name, "%.0f" % (fw_i / N),
                "%.0f (grep -E, no parsing)" % (gr_i / N), fw_i / gr_i)
               for name, _, _, fw_i, gr_i, _, _ in rows if fw_i and gr_i]
    benchlib.write(results, "kmsg", text, summary)


if __name__ == "__main__":
    main()
