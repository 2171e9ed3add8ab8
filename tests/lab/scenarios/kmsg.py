"""The kernel log on real drivers, the daemon in the guest: read errors
injected under a virtio disk and the NVMe disk become kernel-log checks on
those disks by serial; a storm of them is one condition with a count; write
errors under an ext4 mounted errors=remount-ro become fs.errors and
fs.readonly on that file system; a restart neither replays the log nor
raises anything again."""
import json
import time

CONF = ("[agent]\\nhost = lab\\nstate_dir = /tmp/state\\n"
        "[host]\\ninterval = 1h\\n[disks]\\ninterval = 1h\\n"
        "[mdraid]\\ninterval = 1h\\n[kmsg]\\ninterval = 1h\\n")
DAEMON = "forewarnd -c /tmp/fw.conf >>/tmp/events.jsonl 2>>/tmp/fw.log"


def wait_for(lab, pred, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        got = [e for e in lab.events() if pred(e)]
        if got:
            return got
        time.sleep(0.5)
    return []


def on(serial, code, state):
    return lambda e: (e["check"] == code and e["state"] == state and
                      e["entity"]["labels"].get("serial") == serial)


def run(lab, check):
    rc, out = lab.run("modprobe crc32c_generic; modprobe ext4 && /usr/local/bin/mke2fs -q -F -t ext4 /dev/vdb && "
                      "mkdir -p /mnt && mount -t ext4 -o errors=remount-ro "
                      "/dev/vdb /mnt && echo mounted")
    check("mounted" in out, "ext4 on vdb, errors=remount-ro: %s" %
          out.strip()[-80:])
    lab.run("printf '%s' > /tmp/fw.conf" % CONF)
    lab.spawn(DAEMON)
    time.sleep(4)
    bad = [e for e in lab.events() if e["state"] != "ok"]
    check(not bad, "a healthy guest starts without alerts (the boot's own "
          "log is not replayed): %s" % [e["summary"] for e in bad][:2])
    # Only the kernel log's collector: a second SMART reader would move
    # the SCSI error counters the daemon follows.
    lab.run("printf '[disks]\\nenabled = no\\n' > /tmp/once.conf")
    rc, out = lab.run("forewarnd -c /tmp/once.conf --once --format json "
                      "--state-dir /tmp/x")
    doc = json.loads(out[out.index("{"):])
    fs = [e for e in doc["entities"] if e["kind"] == "filesystem" and
          e["labels"].get("mountpoint") == "/mnt"]
    checks = {c["check"]: c for c in fs[0]["checks"]} if fs else {}
    check(checks.get("fs.readonly", {}).get("state") == "ok" and
          checks.get("fs.error_count", {}).get("state") == "ok",
          "the mounted ext4 is followed: writable, no recorded errors")

    # A storm: 200 failed reads of a virtio disk.
    lab.inject_read_errors("r1")
    rc, out = lab.run("i=0; while [ $i -lt 200 ]; do dd if=/dev/vda "
                      "of=/dev/null bs=4096 count=1 skip=$i iflag=direct "
                      "2>/dev/null; i=$((i+1)); done; "
                      "dmesg | grep -c 'error, dev vda'", timeout=120)
    lines = int(out.split()[-1]) if out.split() else 0
    # blk_print_req_error() is rate-limited (10 lines per 5 s).
    check(lines >= 5, "the kernel logged the read errors (%d lines)" %
          lines)
    got = wait_for(lab, on("LAB-VIRT-0001", "disk.io_error_log", "warning"))
    check(got, "disk.io_error_log on vda, by its serial")
    if got:
        print("  " + got[0]["summary"])
    time.sleep(3)
    # One condition: raised once (it may escalate to critical at the
    # check's critical count, which is a change of state, not a repeat).
    ev = [e for e in lab.events() if e["check"] == "disk.io_error_log"
          and e["entity"]["labels"].get("serial") == "LAB-VIRT-0001"]
    raised = [e for e in ev if e["previous"] == "ok"]
    check(len(raised) == 1 and len(ev) <= 2,
          "%d kernel lines are one condition (%s)" %
          (lines, ", ".join(e["previous"] + "→" + e["state"] for e in ev)))

    # NVMe: the controller's error status, as nvme_log_error() prints it.
    lab.inject_read_errors("n0")
    lab.run("dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=4 iflag=direct "
            "2>/dev/null; dmesg | grep nvme0n1 | tail -n 2")
    got = wait_for(lab, lambda e: e["entity"]["labels"].get("serial") ==
                   "LAB-NVME-0001" and e["check"].startswith("disk.") and
                   e["state"] != "ok")
    check(got, "a kernel-log check on the NVMe disk by its serial: %s" %
          (got[0]["summary"] if got else lab.run(
              "dmesg | grep -i nvme | tail -n 3")[1]))

    # Write errors under the ext4: the kernel turns it read-only.
    lab.inject_errors("r2", ("write_aio", "flush_to_disk"))
    # The journal aborts on the failed commit; the next transaction then
    # meets the aborted journal: EXT4-fs error, remounted read-only.
    lab.run("dd if=/dev/zero of=/mnt/f bs=4096 count=64 2>/dev/null; sync; "
            "sleep 1; touch /mnt/g; mkdir /mnt/h; sync", timeout=60)
    ro = wait_for(lab, lambda e: e["check"] == "fs.readonly" and
                  e["state"] == "critical")
    check(ro, "fs.readonly critical: %s" %
          (ro[0]["summary"] if ro else lab.run(
              "dmesg | grep -i ext4 | tail -n 4")[1].strip()))
    err = wait_for(lab, lambda e: e["check"] == "fs.errors" and
                   e["entity"]["name"] == "vdb", timeout=10)
    check(err and err[0]["state"] == "critical",
          "fs.errors from the kernel's EXT4-fs error line: %s" %
          (err[0]["summary"] if err else "none"))
    # Unmounted for a check: the kernel wakes mountinfo's pollers.
    lab.run("umount /mnt")
    ok = wait_for(lab, lambda e: e["check"] == "fs.readonly" and
                  e["state"] == "ok", timeout=10)
    check(ok, "unmounted, the read-only episode is over (pushed, the "
          "interval is 1 h): %s" % (ok[0]["summary"] if ok else "none"))

    # A restart: nothing replayed, nothing raised again.
    time.sleep(2)
    before = len(lab.events())
    lab.run("kill $(pidof forewarnd); sleep 1")
    lab.spawn(DAEMON)
    time.sleep(5)
    after = lab.events()[before:]
    check(after == [], "a restart replays nothing and raises nothing: %s" %
          [e["check"] + " " + e["state"] for e in after][:4])
    rc, out = lab.run("grep -c 'restored' /tmp/fw.log; "
                      "kill -0 $(pidof forewarnd) && echo alive")
    check("alive" in out, "the daemon is running")
