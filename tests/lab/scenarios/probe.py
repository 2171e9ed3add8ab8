"""The probe helper against real kernel drivers: ATA SMART of the AHCI disk
through SG_IO (on this kernel the SAT layer answers in fixed-format sense,
which libatasmart's own code path rejects), the NVMe SMART log with a
critical warning injected over QMP, and a clean refusal on a virtio disk."""
import json


def run(lab, check):
    rc, out = lab.run("skdump /dev/sda")
    check("SMART not supported" in out,
          "libatasmart alone cannot read this disk's SMART (the "
          "fixed-sense problem is real here): %s" % out.strip())
    rc, out = lab.run("probe-dump ata sda")
    check(rc == 0, "ATA SMART through the probe helper works: %s" % out)
    if rc == 0:
        d = json.loads(out)
        check(d.get("serial") == "LAB-AHCI-0001", "serial from IDENTIFY")
        check(d.get("model") == "LAB AHCI DISK", "model from IDENTIFY")
        check(d.get("smart_status_good") == 1,
              "SMART RETURN STATUS decoded from fixed-format sense")
        check(d.get("overall") == "GOOD", "libatasmart's overall verdict")
        check(d.get("temperature_mkelvin", 0) > 273150,
              "temperature attribute parsed")
    lab.qmp("qom-set", path="/machine/peripheral/nvme0",
            property="smart_critical_warning", value=0x04)
    rc, out = lab.run("probe-dump nvme nvme0")
    check(rc == 0 and json.loads(out).get("critical_warning") == 4,
          "NVMe SMART log through the helper shows the injected warning: %s"
          % out)
    lab.qmp("qom-set", path="/machine/peripheral/nvme0",
            property="smart_critical_warning", value=0)
    rc, out = lab.run("probe-dump nvme nvme0n1")
    check(rc == 0 and json.loads(out).get("critical_warning") == 0,
          "cleared again, read through the namespace device")
    rc, out = lab.run("probe-dump ata vda")
    check(rc == 25, "a virtio disk answers 'not a SCSI device' (ENOTTY), "
          "not a hang or crash: rc %d" % rc)
    rc, out = lab.run("probe-dump open vdb 2000")
    check(rc == 0, "opening a healthy disk through the helper")
