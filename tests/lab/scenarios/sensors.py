"""The sensors collector through libsensors against real kernel drivers: an
lm75 on i2c-stub registered while the daemon runs (the rescan finds it), its
label from sensors.conf (and a compute statement, applied to the input and
the limits), a temperature raised step by step with i2cset
(sensor.temp_trend warns before sensor.temp reaches the chip's limit), then
recovery as it falls; the NVMe composite temperature alarm set over QMP
becomes sensor.alarm on the nvme chip."""
import json
import time

CONF = ("[agent]\\nhost = lab\\nstate_dir = /tmp/state\\n"
        "[host]\\ninterval = 1h\\n[disks]\\nenabled = no\\n"
        "[sensors]\\ninterval = 1s\\ntrend_window = 20s\\n"
        "trend_horizon = 15s\\nrescan = 1h\\n")
# The lab heats at 1 °C a second, so a 15-second horizon stands for the
# default 15 minutes: the trend must warn near 65 °C, well before 80 °C.
# A sensors.conf label, applied by libsensors.
SENSORS_CONF = "chip \\042lm75-*\\042\\n    label temp1 \\042Board\\042\\n"


def wait_event(lab, pred, timeout=30):
    start = time.time()
    while time.time() - start < timeout:
        for i, e in enumerate(lab.events()):
            if pred(e):
                return i, e
        time.sleep(0.5)
    return None, None


def sensor_events(lab):
    return [e for e in lab.events() if e["check"].startswith("sensor.")]


def set_temp(lab, bus, celsius):
    """The lm75 temperature register: a big-endian word, whole degrees."""
    lab.run("i2cset -f -y %d 0x48 0 0x%04x w" % (bus, int(celsius) & 0xff))


def run(lab, check):
    lab.run("printf '%s' > /etc/sensors3.conf" % SENSORS_CONF)
    lab.run("printf '%s' > /tmp/fw.conf" % CONF)
    rc, out = lab.run("modprobe i2c-dev && modprobe i2c-stub chip_addr=0x48 && "
                      "grep -l 'SMBus stub' /sys/bus/i2c/devices/i2c-*/name")
    check(rc == 0, "i2c-stub loaded: %s" % out.strip())
    bus = int(out.strip().split("/")[-2].split("-")[1]) if rc == 0 else 0
    # Tos 80 °C (the lm75's one limit: temp1_max), Thyst 75 °C, 45 °C now.
    lab.run("i2cset -y %d 0x48 3 0x0050 w; i2cset -y %d 0x48 2 0x004b w; "
            "i2cset -y %d 0x48 1 0 b" % (bus, bus, bus))
    set_temp(lab, bus, 45)
    lab.spawn("forewarnd -c /tmp/fw.conf >/tmp/events.jsonl 2>/tmp/fw.log")
    time.sleep(3)
    # The chip appears after the daemon started: a hotplugged sensor.
    rc, _ = lab.run("modprobe lm75 && echo lm75 0x48 > "
                    "/sys/bus/i2c/devices/i2c-%d/new_device" % bus)
    check(rc == 0, "lm75 registered on i2c-%d" % bus)
    rc, out = lab.run("sensors -u lm75-i2c-%d-48" % bus)
    check("temp1_input: 45.000" in out and "temp1_max: 80.000" in out,
          "sensors -u reads the stub: %s" % " ".join(out.split()[:8]))
    time.sleep(3)
    ident = "lm75-i2c-%d-48/Board" % bus
    rc, out = lab.run("grep -c 'hwmon chips now' /tmp/fw.log")
    check(out.strip() not in ("", "0"), "the daemon saw a new hwmon chip")
    check(sensor_events(lab) == [], "a cool chip raises nothing")

    # Step by step: 2 °C every 2 s toward the 80 °C limit.
    t = 46
    trend_at = temp_at = None
    while t <= 84:
        set_temp(lab, bus, t)
        time.sleep(2)
        evs = lab.events()
        if trend_at is None and any(
                e["check"] == "sensor.temp_trend" and
                e["state"] == "warning" for e in evs):
            trend_at = t
        if any(e["check"] == "sensor.temp" and e["state"] == "critical"
               for e in evs):
            temp_at = t
            break
        t += 2
    i_trend, trend = wait_event(lab, lambda e: e["check"] ==
                                "sensor.temp_trend" and
                                e["state"] == "warning")
    i_crit, crit = wait_event(lab, lambda e: e["check"] == "sensor.temp" and
                              e["state"] == "critical")
    check(trend is not None, "sensor.temp_trend warned while rising "
          "(at %s °C): %s" % (trend_at, trend and trend["summary"]))
    check(crit is not None, "sensor.temp critical at the 80 °C limit "
          "(at %s °C): %s" % (temp_at, crit and crit["summary"]))
    if trend and crit:
        print("  trend warning at %s °C: %s" % (trend_at, trend["summary"]))
        print("  critical at %s °C: %s" % (temp_at, crit["summary"]))
        check(i_trend < i_crit, "the trend warning came first")
        check(trend_at is not None and 56 <= trend_at <= 76,
              "when crit was within the horizon, not at the first rise "
              "(%s °C)" % trend_at)
        check(trend["entity"]["id"] == ident, "identity chip + sensors.conf "
              "label: %s" % trend["entity"]["id"])
        eta = trend["details"].get("eta_seconds")
        check(eta is not None and eta > 0, "with a time to the limit: %s s"
              % eta)
    i_warn, warn = wait_event(lab, lambda e: e["check"] == "sensor.temp" and
                              e["state"] == "warning", timeout=1)
    check(warn is not None and (crit is None or i_warn < i_crit),
          "sensor.temp warning (5 °C below the limit) before critical")

    # Falling again: the trend clears, then the temperature.
    for t in (78, 74, 70, 60, 50, 45):
        set_temp(lab, bus, t)
        time.sleep(1.5)
    _, ok = wait_event(lab, lambda e: e["check"] == "sensor.temp" and
                       e["state"] == "ok")
    _, tok = wait_event(lab, lambda e: e["check"] == "sensor.temp_trend" and
                        e["state"] == "ok")
    check(ok is not None and ok["previous"] in ("critical", "warning"),
          "sensor.temp recovered: %s" % (ok and ok["summary"]))
    check(tok is not None, "sensor.temp_trend recovered")

    # The NVMe composite temperature warning bit is the hwmon alarm flag.
    lab.qmp("qom-set", path="/machine/peripheral/nvme0",
            property="smart_critical_warning", value=0x02)
    _, al = wait_event(lab, lambda e: e["check"] == "sensor.alarm" and
                       e["state"] != "ok")
    check(al is not None and al["entity"]["id"].startswith("nvme-") and
          al["entity"]["labels"].get("driver") == "nvme",
          "sensor.alarm on the nvme chip: %s" % (al and al["entity"]["id"]))
    lab.qmp("qom-set", path="/machine/peripheral/nvme0",
            property="smart_critical_warning", value=0)
    _, alok = wait_event(lab, lambda e: e["check"] == "sensor.alarm" and
                         e["state"] == "ok")
    check(alok is not None, "and it clears")
    if al:
        print("  NVMe alarm: %s" % al["summary"])
    rc, out = lab.run("forewarnd -c /tmp/fw.conf --once --format json")
    doc = json.loads(out)
    sens = [e for e in doc["entities"] if e["kind"] == "sensor"]
    check(any(e["id"] == ident for e in sens),
          "--once lists the lm75 through libsensors")
    # A limit set on the chip (the way `sensors -s` does) is seen within the
    # ten passes after which limits are read again: 45 °C is now too hot.
    hw = "/sys/bus/i2c/devices/%d-0048/hwmon/hwmon*/temp1_max" % bus
    lab.run("for f in %s; do echo 44000 > $f; done" % hw)
    i_low, low = wait_event(lab, lambda e: e["check"] == "sensor.temp" and
                        e["state"] == "critical" and
                        e["details"].get("critical_celsius") == 44)
    check(low is not None, "a limit lowered on the chip is followed: %s" %
          (low and low["summary"]))
    lab.run("for f in %s; do echo 80000 > $f; done" % hw)
    i_back, back = wait_event(lab, lambda e: e["check"] == "sensor.temp" and
                              e["state"] == "ok" and e["previous"] ==
                              "critical" and
                              e["details"].get("critical_celsius") == 80 and
                              e["details"].get("celsius") == 45)
    check(back is not None and low is not None and i_back > i_low,
          "and raised again")
    # A compute statement through libsensors, from a sensors.conf of its
    # own ([sensors] config): the lm75 reads 45 °C, its limit 80 °C.
    lab.run("printf '%s' > /tmp/compute.conf; printf '%s' > /tmp/fw2.conf" % (
        "chip \\042lm75-*\\042\\n    label temp1 \\042Board\\042\\n"
        "    compute temp1 @-5, @+5\\n",
        CONF + "config = /tmp/compute.conf\\n"))
    rc, out = lab.run("forewarnd -c /tmp/fw2.conf --once --format json")
    doc = json.loads(out)
    ent = [e for e in doc["entities"] if e["id"] == ident]
    temp = [c for c in (ent[0]["checks"] if ent else [])
            if c["check"] == "sensor.temp"]
    det = temp[0]["details"] if temp else {}
    check(det.get("celsius") == 40 and det.get("critical_celsius") == 75,
          "sensors.conf compute applies to the input and the limits: %s" %
          det)
    rc, out = lab.run("cat /tmp/fw.log | grep -v '^<7>' | tail -5")
    print("  daemon log tail:", out.strip().replace("\n", " | ")[:400])
