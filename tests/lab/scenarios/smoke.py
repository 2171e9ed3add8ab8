"""The lab itself works: the guest boots its Debian kernel with the lab's
devices, forewarnd runs inside it, and QMP fault injection reaches the guest."""
import json


def run(lab, check):
    rc, out = lab.run("forewarnd --once --format json")
    check(rc == 0, "forewarnd --once exits 0 in the guest (got %d)" % rc)
    doc = json.loads(out)
    host = [e for e in doc["entities"] if e["kind"] == "host"]
    check(len(host) == 1, "one host entity")
    check(host and host[0]["id"] == "0123456789abcdef0123456789abcdef",
          "the host is identified by its machine-id")
    check(host and host[0]["labels"].get("kernel") == lab.kernel_version,
          "the host's kernel label is the lab kernel %s" % lab.kernel_version)
    rc, out = lab.run("ls /sys/block")
    disks = out.split()
    for d in ("sda", "nvme0n1", "vda", "vdb"):
        check(d in disks, "the guest sees block device %s" % d)
    rc, out = lab.run("cat /sys/block/sda/device/model /sys/block/vda/serial")
    check("LAB AHCI DISK" in out and "LAB-VIRT-0001" in out,
          "disk identities reach the guest")
    # Fault injection over QMP reaches the guest's NVMe SMART log.
    lab.qmp("qom-set", path="/machine/peripheral/nvme0",
            property="smart_critical_warning", value=1)
    rc, out = lab.run("nvme smart-log /dev/nvme0 -o json")
    check(rc == 0 and json.loads(out).get("critical_warning") == 1,
          "NVMe critical warning set over QMP is visible in the guest")
    lab.qmp("qom-set", path="/machine/peripheral/nvme0",
            property="smart_critical_warning", value=0)
    # A NIC carrier drop over QMP.
    lab.qmp("set_link", name="nic0", up=False)
    rc, out = lab.run("ip link set eth0 up; sleep 0.2; "
                      "cat /sys/class/net/eth0/carrier")
    check(out.strip() == "0", "set_link off drops the guest NIC's carrier")
    lab.qmp("set_link", name="nic0", up=True)
