"""md RAID1 over the AHCI disk and a virtio disk, the daemon in the guest: a
member failed with mdadm reaches the outbox at once (pushed by the kernel's
sysfs notification, not polled), the array names its faulty member by
serial, the disks are related to the array by identity, and I/O errors on
the last member make the array raid.at_risk."""
import json
import time

CONF = ("[agent]\\nhost = lab\\nstate_dir = /tmp/state\\n"
        "[host]\\ninterval = 1h\\n[disks]\\ninterval = 2s\\n"
        "[mdraid]\\ninterval = 1h\\n")


def run(lab, check):
    rc, out = lab.run("mdadm --create /dev/md0 --level=1 --raid-devices=2 "
                      "/dev/sda /dev/vda --run --metadata=1.2 2>&1; "
                      "mdadm --wait /dev/md0; cat /proc/mdstat")
    check("[UU]" in out, "md0 is a clean RAID1: %s" % out.strip()[-60:])
    rc, out = lab.run("forewarnd --once --format json")
    doc = json.loads(out)
    arrays = [e for e in doc["entities"] if e["kind"] == "array"]
    check(len(arrays) == 1 and arrays[0]["name"] == "md0",
          "the array is found")
    uuid = arrays[0]["id"] if arrays else None
    members = [e for e in doc["entities"] if e["kind"] == "disk" and
               any(r["id"] == uuid for r in e["relations"])]
    check(sorted(m["labels"].get("serial") for m in members) ==
          ["LAB-AHCI-0001", "LAB-VIRT-0001"],
          "both disks are member_of the array, by serial")

    # mdadm.conf as mdadm itself writes it: its UUID form must match the
    # kernel's md/uuid, and the declared spare is missing.
    rc, out = lab.run("mkdir -p /etc/mdadm; mdadm --detail --scan | "
                      "sed 's/$/ spares=1/' >/etc/mdadm/mdadm.conf; "
                      "cat /etc/mdadm/mdadm.conf; forewarnd --once --format "
                      "json")
    doc = json.loads(out[out.index("{"):])
    md = [e for e in doc["entities"] if e["kind"] == "array"]
    checks = {c["check"]: c for c in md[0]["checks"]} if md else {}
    check(checks.get("raid.new_array", {}).get("state") == "ok",
          "mdadm --detail --scan's UUID matches the kernel's: %s" %
          checks.get("raid.new_array", {}).get("summary"))
    check(checks.get("raid.spare_missing", {}).get("state") == "warning",
          "a declared spare that is not there: %s" %
          checks.get("raid.spare_missing", {}).get("summary"))
    lab.run("rm -f /etc/mdadm/mdadm.conf")

    lab.run("printf '%s' > /tmp/fw.conf" % CONF)
    lab.spawn("forewarnd -c /tmp/fw.conf >/tmp/events.jsonl 2>/tmp/fw.log")
    time.sleep(3)
    check(not [e for e in lab.events() if e["state"] != "ok"],
          "a healthy array starts without alerts")
    # Polling is off (1 h): only the kernel's notification can wake us.
    rc, out = lab.run(
        "t0=$(cut -d' ' -f1 /proc/uptime); mdadm /dev/md0 --fail /dev/vda "
        ">/dev/null 2>&1; i=0; while ! grep -q raid.degraded "
        "/tmp/events.jsonl && [ $i -lt 20000 ]; do i=$((i+1)); done; "
        "t1=$(cut -d' ' -f1 /proc/uptime); echo $t0 $t1")
    t0, t1 = (float(x) for x in out.split())
    ev = [e for e in lab.events() if e["check"] == "raid.degraded"]
    check(ev and ev[0]["state"] == "critical",
          "raid.degraded critical: no redundancy left")
    ms = (t1 - t0) * 1000
    print("  mdadm --fail → raid.degraded in the outbox: %.0f ms "
          "(10 ms clock, includes mdadm's own run, emulated CPU)" % ms)
    check(ms < 1000, "pushed, not polled (%.0f ms with a 1 h interval)" % ms)
    if ev:
        check("0 more failures survivable" in ev[0]["summary"] and
              "LAB-VIRT-0001" in ev[0]["summary"],
              "the summary says what is left and names the member: %s"
              % ev[0]["summary"])
    faulty = [e for e in lab.events() if e["check"] == "raid.member_faulty"]
    check(faulty and faulty[0]["state"] == "critical",
          "raid.member_faulty critical")
    # The last member starts failing reads: one more failure is an outage.
    lab.inject_read_errors("d0")
    lab.run("dd if=/dev/sda of=/dev/null bs=4096 count=1 skip=2000")
    end = time.time() + 20
    risk = []
    while time.time() < end and not risk:
        risk = [e for e in lab.events() if e["check"] == "raid.at_risk" and
                e["state"] == "critical"]
        time.sleep(0.5)
    check(risk, "raid.at_risk raised when the last member errs")
    if risk:
        print("  " + risk[0]["summary"])
        # The SCSI midlayer's counter (disks) or the kernel's own words
        # (kmsg), whichever the stage meets first.
        check("LAB-AHCI-0001" in risk[0]["summary"] and
              any(c in risk[0]["summary"] for c in
                  ("disk.io_errors", "disk.io_error_log",
                   "disk.medium_errors")),
              "it names the last member by serial and what is wrong")
    failed = [e for e in lab.events()
              if e["check"] == "disk.raid_member_failed"]
    check(failed and failed[0]["entity"]["labels"].get("serial") ==
          "LAB-VIRT-0001" and failed[0]["state"] == "critical",
          "the kernel log's 'Disk failure on vda' is on that disk: %s" %
          (failed[0]["summary"] if failed else "no event"))
    rc, out = lab.run("kill -0 $(pidof forewarnd | cut -d' ' -f1) && echo ok")
    check("ok" in out, "the daemon is running")
