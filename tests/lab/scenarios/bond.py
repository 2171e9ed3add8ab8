"""A two-slave bond on real virtio NICs losing a slave: the lab's nic0 and a
second virtio NIC hot-plugged in place of the disk vr2, bonded
active-backup with the MII monitor; set_link over QMP drops nic0's carrier.
The slave's net.link_down (warning) and the risk stage's net.bond_degraded
(critical: "bond0 now runs on a single link") reach the outbox; the bond
itself stays up (net.bond_down ok); the link back clears both; losing both
slaves is net.bond_down critical.  virtio-net has no module EEPROM: the
optics are "not available", quietly."""
import time

CONF = ("[agent]\\nhost = lab\\nstate_dir = /tmp/state\\n"
        "[host]\\ninterval = 1h\\n[disks]\\nenabled = no\\n"
        "[mdraid]\\nenabled = no\\n[kmsg]\\nenabled = no\\n"
        "[net]\\ninterval = 1h\\n")
DAEMON = "forewarnd -c /tmp/fw.conf >>/tmp/events.jsonl 2>>/tmp/fw.log"


def wait_for(lab, pred, n=1, timeout=8):
    end = time.time() + timeout
    while time.time() < end:
        got = [e for e in lab.events() if pred(e)]
        if len(got) >= n:
            return got
        time.sleep(0.3)
    return [e for e in lab.events() if pred(e)]


def on(code, name, state):
    return lambda e: (e["check"] == code and e["state"] == state and
                      e["entity"]["name"] == name)


def second_nic(lab):
    """Free the root port rp2 (unplug the disk vr2) and plug a NIC there."""
    lab.qmp("device_del", id="vr2")
    for _ in range(50):
        rc, out = lab.run("ls /sys/block")
        if "vdb" not in out.split():
            break
        time.sleep(0.1)
    lab.qmp("netdev_add", type="user", id="net1", restrict=True)
    for _ in range(20):
        r = lab.qmp("device_add", driver="virtio-net-pci", id="nic1",
                    netdev="net1", bus="rp2", romfile="")
        if "error" not in r:
            break
        time.sleep(0.2)	# the slot is still being released
    for _ in range(50):
        rc, out = lab.run("ls /sys/class/net")
        if "eth1" in out.split():
            return True
        time.sleep(0.1)
    return False


def run(lab, check):
    check(second_nic(lab), "a second virtio NIC hot-plugged as eth1")
    rc, out = lab.run(
        "modprobe bonding; "
        "[ -e /sys/class/net/bond0 ] || "
        "echo +bond0 > /sys/class/net/bonding_masters; "
        "echo active-backup > /sys/class/net/bond0/bonding/mode && "
        "echo 100 > /sys/class/net/bond0/bonding/miimon && "
        "ip link set eth0 down && ip link set eth1 down && "
        "echo +eth0 > /sys/class/net/bond0/bonding/slaves && "
        "echo +eth1 > /sys/class/net/bond0/bonding/slaves && "
        "ip link set bond0 up && sleep 0.5 && "
        "cat /sys/class/net/bond0/bonding/slaves "
        "/sys/class/net/eth0/bonding_slave/mii_status "
        "/sys/class/net/eth1/bonding_slave/mii_status")
    check(rc == 0 and "eth0 eth1" in out and out.count("up") >= 2,
          "bond0 active-backup over eth0 and eth1, both MII up: %r"
          % out.strip()[-120:])
    lab.run("printf '%s' > /tmp/fw.conf" % CONF)
    lab.spawn(DAEMON)
    time.sleep(3)
    bad = [e for e in lab.events() if e["state"] != "ok"]
    check(bad == [], "a healthy bond raises nothing: %r" %
          [(e["entity"]["name"], e["check"]) for e in bad][:4])
    rc, out = lab.run("forewarnd -c /tmp/fw.conf --once --format json")
    check('"slave_of"' in out and '"bond0"' in out,
          "the slaves are related slave_of bond0 (--once)")

    t0 = time.time()
    lab.qmp("set_link", name="nic0", up=False)
    deg = wait_for(lab, on("net.bond_degraded", "bond0", "critical"))
    took = time.time() - t0
    check(len(deg) == 1, "a slave lost: net.bond_degraded critical (%.1f s "
          "from set_link)" % took)
    if deg:
        s = deg[0]["summary"]
        check("bond0 now runs on a single link: eth1" in s and "eth0" in s,
              "it names the link left and the one lost: %s" % s)
    down = wait_for(lab, on("net.link_down", "eth0", "warning"))
    check(len(down) == 1, "eth0's own net.link_down (warning)")
    if down:
        ent = down[0]["entity"]
        rc, out = lab.run("cat /sys/class/net/eth0/bonding_slave/perm_hwaddr")
        check(ent["id"] == out.strip(),
              "eth0 is identified by its permanent MAC %s, not the bond's"
              % ent["id"])
    check(wait_for(lab, on("net.bond_down", "bond0", "critical"),
                   timeout=1) == [],
          "bond0 itself stays up on eth1 (no net.bond_down)")

    lab.qmp("set_link", name="nic0", up=True)
    check(len(wait_for(lab, on("net.bond_degraded", "bond0", "ok"))) == 1,
          "eth0 back: net.bond_degraded clears")
    check(len(wait_for(lab, on("net.link_down", "eth0", "ok"))) == 1,
          "eth0 back: its net.link_down clears")

    lab.qmp("set_link", name="nic0", up=False)
    lab.qmp("set_link", name="nic1", up=False)
    check(len(wait_for(lab, on("net.bond_down", "bond0", "critical"))) == 1,
          "both slaves lost: net.bond_down critical")
    deg = wait_for(lab, on("net.bond_degraded", "bond0", "critical"), n=2)
    check(len(deg) >= 1, "net.bond_degraded says the bond is down")
    rc, out = lab.run("grep -c 'does not declare' /tmp/fw.log")
    check(out.strip() == "0", "every reported check is declared")
    # virtio-net has no module EEPROM: "not available", never a complaint.
    rc, out = lab.run("grep -c 'netlink' /tmp/fw.log")
    check(out.strip() == "0", "no module EEPROM on virtio is no complaint")
    check([e for e in lab.events() if e["check"] == "net.optics"] == [],
          "and no net.optics result")
