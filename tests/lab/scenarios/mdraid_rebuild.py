"""md RAID1 over the two virtio disks: a member failed and added back is
rebuilt (raid.rebuild with progress, then everything clears), and a member
pulled out of the machine with I/O on the array is disk.missing while the
array is raid.degraded."""
import time

CONF = ("[agent]\\nhost = lab\\nstate_dir = /tmp/state\\n"
        "[host]\\ninterval = 1h\\n[disks]\\ninterval = 2s\\n"
        "[mdraid]\\ninterval = 1h\\n")


def wait_for(lab, pred, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        hits = [e for e in lab.events() if pred(e)]
        if hits:
            return hits
        time.sleep(0.5)
    return []


def run(lab, check):
    rc, out = lab.run("mdadm --create /dev/md0 --level=1 --raid-devices=2 "
                      "/dev/vda /dev/vdb --run --metadata=1.2 >/dev/null "
                      "2>&1; mdadm --wait /dev/md0; cat /proc/mdstat")
    check("[UU]" in out, "md0 is a clean RAID1")
    lab.run("printf '%s' > /tmp/fw.conf" % CONF)
    lab.spawn("forewarnd -c /tmp/fw.conf >/tmp/events.jsonl 2>/tmp/fw.log")
    time.sleep(3)

    # Fail a member, take it out, add it back: md rebuilds it.
    lab.run("mdadm /dev/md0 --fail /dev/vdb; mdadm /dev/md0 --remove "
            "/dev/vdb; mdadm --zero-superblock /dev/vdb")
    check(wait_for(lab, lambda e: e["check"] == "raid.degraded" and
                   e["state"] == "critical"), "degraded after the failure")
    # Slow the rebuild (64 MiB at 5 MiB/s) so it is seen in progress.
    lab.run("echo 5000 > /sys/block/md0/md/sync_speed_max; "
            "mdadm /dev/md0 --add /dev/vdb")
    rebuild = wait_for(lab, lambda e: e["check"] == "raid.rebuild" and
                       e["state"] == "warning")
    check(rebuild, "raid.rebuild raised while the new member is rebuilt")
    if rebuild:
        print("  " + rebuild[0]["summary"])
        check("percent" in rebuild[0]["details"], "with its progress")
    lab.run("mdadm --wait /dev/md0", timeout=120)
    check(wait_for(lab, lambda e: e["check"] == "raid.degraded" and
                   e["state"] == "ok" and e["previous"] != "ok"),
          "degraded clears once the rebuild is done")
    check(wait_for(lab, lambda e: e["check"] == "raid.rebuild" and
                   e["state"] == "ok"), "and so does the rebuild")

    # Pull a member out of the machine; I/O makes md notice.
    lab.qmp("device_del", id="vr1")
    time.sleep(1)
    lab.run("dd if=/dev/zero of=/dev/md0 bs=4096 count=16 conv=fsync "
            "2>/dev/null; sync")
    missing = wait_for(lab, lambda e: e["check"] == "disk.missing" and
                       e["state"] != "ok")
    check(missing and missing[0]["entity"]["labels"].get("serial") ==
          "LAB-VIRT-0001", "the pulled member is disk.missing, by serial")
    check(wait_for(lab, lambda e: e["check"] == "raid.degraded" and
                   e["state"] == "critical" and e["time"] >
                   (missing[0]["time"] if missing else "")),
          "and the array is degraded again")
