"""The disks collector against real kernel drivers, with the daemon running
in the guest: identities by serial, SMART through the probe helper on the
AHCI disk, an NVMe critical warning injected over QMP raised within one poll
interval and recovered, and a hot-unplugged disk reported missing."""
import json
import time

CONF = ("[agent]\\nhost = lab\\nstate_dir = /tmp/state\\n"
        "[host]\\ninterval = 1h\\n[disks]\\ninterval = 2s\\ndeadline = 10s\\n")


def wait_event(lab, pred, timeout=20):
    """The first event matching pred and the seconds it took to appear."""
    start = time.time()
    while time.time() - start < timeout:
        for e in lab.events():
            if pred(e):
                return e, time.time() - start
        time.sleep(0.5)
    return None, timeout


def run(lab, check):
    rc, out = lab.run("forewarnd --once --format json")
    doc = json.loads(out)
    disks = {e["name"]: e for e in doc["entities"] if e["kind"] == "disk"}
    check(set(disks) == {"sda", "nvme0n1", "vda", "vdb"},
          "every disk found: %s" % sorted(disks))
    sda = disks.get("sda", {})
    check(sda.get("labels", {}).get("serial") == "LAB-AHCI-0001",
          "the AHCI disk is known by its serial")
    checks = {c["check"]: c for c in sda.get("checks", [])}
    check(checks.get("disk.smart.health", {}).get("state") == "ok",
          "SMART verdict of the AHCI disk read through the helper")
    check("disk.temperature" in checks, "its temperature attribute")
    nv = {c["check"]: c for c in disks.get("nvme0n1", {}).get("checks", [])}
    check(nv.get("disk.nvme.critical_warning", {}).get("state") == "ok",
          "NVMe health read, no warning")
    check(rc == 0, "the healthy lab reports ok (exit %d)" % rc)

    lab.run("printf '%s' > /tmp/fw.conf" % CONF)
    lab.spawn("forewarnd -c /tmp/fw.conf >/tmp/events.jsonl 2>/tmp/fw.log")
    time.sleep(3)
    check(lab.events() == [], "a healthy lab starts without events")

    lab.qmp("qom-set", path="/machine/peripheral/nvme0",
            property="smart_critical_warning", value=0x04)
    e, took = wait_event(lab, lambda e: e["check"] ==
                         "disk.nvme.critical_warning" and
                         e["state"] == "critical")
    check(e is not None, "NVMe reliability warning raised as critical")
    if e:
        check(e["entity"]["labels"].get("serial") == "LAB-NVME-0001",
              "the event names the NVMe disk by serial")
        print("  NVMe critical warning → event: %.1f s (interval 2 s)" % took)
        check(took < 6, "within one poll interval and a probe (%.1f s)" % took)
    lab.qmp("qom-set", path="/machine/peripheral/nvme0",
            property="smart_critical_warning", value=0)
    e, took = wait_event(lab, lambda e: e["check"] ==
                         "disk.nvme.critical_warning" and
                         e["state"] == "ok")
    check(e is not None and e["previous"] == "critical",
          "and its recovery")

    # Real EIO from the emulated AHCI disk: blkdebug slid under its node.
    lab.inject_read_errors("d0")
    rc, out = lab.run("dd if=/dev/sda of=/dev/null bs=4096 count=1 "
                      "skip=1000; cat /sys/block/sda/device/ioerr_cnt")
    check(rc == 0 and out.strip().splitlines()[-1] != "0x0",
          "the kernel counted the injected I/O errors: %s" %
          out.strip().splitlines()[-1:])
    e, took = wait_event(lab, lambda e: e["check"] == "disk.io_errors" and
                         e["state"] == "warning")
    check(e is not None and e["entity"]["labels"].get("serial") ==
          "LAB-AHCI-0001", "disk.io_errors on the AHCI disk, by serial")

    lab.qmp("device_del", id="vr2")
    e, took = wait_event(lab, lambda e: e["check"] == "disk.missing" and
                         e["state"] != "ok")
    check(e is not None and e["entity"]["labels"].get("serial") ==
          "LAB-VIRT-0002", "an unplugged disk is missing, by serial")
    rc, out = lab.run("kill -0 $(pidof forewarnd) && echo alive")
    check("alive" in out, "the daemon is still running")
