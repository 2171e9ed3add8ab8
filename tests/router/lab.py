"""The router lab: two routers (r1, r2) and the agent's host, each in a
network namespace of its own, joined by veth pairs with 169.254.x.x
addresses only (nothing leaves the machine; no default routes).  Each
router runs snmpd (v2c and a v3 authPriv user, AgentX master on a socket of
its own) and FRR zebra + bgpd with BGP4-MIB over AgentX; r1 and r2 hold one
eBGP session.  Faults are methods: link down, carrier loss, BGP blackhole,
reboot, unreachable, error counters, 200 more interfaces, traps.

    sys.path.insert(0, "tests/router")
    import lab
    with lab.Lab() as L:
        L.snmpget("r1", lab.SYS_UPTIME)

Needs root (CI runs as root) and Debian's snmpd, snmp, frr, frr-snmp,
nftables and python3-pysnmp4 (make deps).  Layout: tests/router/README.md.
"""
import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Numeric OIDs: no MIB files exist here.
SYS_UPTIME = ".1.3.6.1.2.1.1.3.0"
SNMP_ENGINE_ID = ".1.3.6.1.6.3.10.2.1.1.0"
IF_DESCR = ".1.3.6.1.2.1.2.2.1.2"
IF_ADMIN = ".1.3.6.1.2.1.2.2.1.7"
IF_OPER = ".1.3.6.1.2.1.2.2.1.8"
IF_IN_ERRORS = ".1.3.6.1.2.1.2.2.1.14"
IF_NAME = ".1.3.6.1.2.1.31.1.1.1.1"
BGP_PEER_STATE = ".1.3.6.1.2.1.15.3.1.2"
NS_CACHE_TIMEOUT = ".1.3.6.1.4.1.8072.1.5.3.1.2"
IF_TABLE = ".1.3.6.1.2.1.2.2"
TRAP_COLD_START = ".1.3.6.1.6.3.1.1.5.1"
TRAP_LINK_DOWN = ".1.3.6.1.6.3.1.1.5.3"
TRAP_LINK_UP = ".1.3.6.1.6.3.1.1.5.4"

COMMUNITY = "public"
V3_USER = "labv3"
V3_AUTH = "authpass1"
V3_PRIV = "privpass1"

# The agent's trap listener: on the host namespace's loopback, routed to
# from each router over its management link.
TRAP_ADDR = "169.254.9.1"
TRAP_PORT = 1162

FRR_BIN = "/usr/lib/frr"
PREFIX = "fwr"


# net-snmp's tools run by the lab read and write only this directory (set
# by Lab): nothing from /etc/snmp, ~/.snmp or the shared /var/lib/snmp.
CLIENT_DIR = None


def env_snmp(persist=None):
    env = dict(os.environ, MIBS="")
    env.pop("MIBDIRS", None)
    if persist is None and CLIENT_DIR is not None:
        persist = CLIENT_DIR
        env["SNMPCONFPATH"] = CLIENT_DIR
    if persist:
        env["SNMP_PERSISTENT_DIR"] = persist
    return env


def run(cmd, check=True, ns=None, env=None, timeout=30, **kw):
    if ns:
        cmd = ["ip", "netns", "exec", ns] + list(cmd)
    r = subprocess.run(cmd, capture_output=True, text=True, env=env,
                       timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), r.returncode,
                                                 r.stderr.strip()[-500:]))
    return r


def wait_for(pred, timeout=10.0, step=0.1, what="a condition"):
    end = time.time() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.time() >= end:
            raise TimeoutError("timed out (%.0f s) waiting for %s"
                               % (timeout, what))
        time.sleep(step)


def remove_stale_dirs():
    """Directories a killed run left in the temporary directory: named
    fwrouter-PID-... (the lab's and the scenarios'), whose PID is gone."""
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        m = re.match(r"fwrouter-(\d+)-", name)
        if m and not os.path.exists("/proc/%s" % m.group(1)):
            shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)


def stale_namespaces():
    """Namespaces a killed run of this lab left behind (its pid is gone)."""
    out = run(["ip", "netns", "list"], check=False).stdout
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(r"%s(\d+)-" % PREFIX, name)
        if m and not os.path.exists("/proc/%s" % m.group(1)):
            yield name


def kill_namespace(ns):
    """Everything running in ns killed, then ns removed."""
    pids = run(["ip", "netns", "pids", ns], check=False).stdout
    for pid in pids.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (OSError, ValueError):
            pass
    run(["ip", "netns", "del", ns], check=False)


SNMPD_CONF = """\
# snmpd of router {name} (forewarn router lab)
agentAddress udp:{mgmt}:161,udp:127.0.0.1:161
rocommunity {community} default
rwcommunity private 127.0.0.1
createUser {v3user} SHA-256 "{v3auth}" AES "{v3priv}"
rouser {v3user} priv
# A router keeps its engine ID across reboots (snmpEngineBoots counts them).
exactEngineID {engine}
# The event MIB reads the ifTable through an internal v3 user.
createUser _fwinternal
rouser _fwinternal noauth
iquerySecName _fwinternal
dontLogTCPWrappersConnects yes
sysName {name}
sysLocation forewarn router lab
master agentx
agentXSocket unix:{agentx}
agentXPerms 0777 0777
# Counters a test can set (net-snmp cannot make veth count errors).
{overrides}
# linkUp/linkDown within a second (the stock linkUpDownNotifications
# polls every 60 s), to the agent's trap listener.
trap2sink {trap_addr}:{trap_port} {community}
# _linkUp/_linkDown are snmpd's own events (ifIndex, ifAdminStatus and
# ifOperStatus as varbinds).
monitor -r 1 -S -e _linkUp "fwLinkUp" .1.3.6.1.2.1.2.2.1.8 != 2
monitor -r 1 -S -e _linkDown "fwLinkDown" .1.3.6.1.2.1.2.2.1.8 == 2
"""

ZEBRA_CONF = """\
hostname {name}
log file {dir}/zebra.log
"""

BGPD_CONF = """\
hostname {name}
log file {dir}/bgpd.log
agentx
router bgp {asn}
 bgp router-id {addr}
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp 3 9
 neighbor {peer} remote-as {peer_asn}
 neighbor {peer} timers connect 1
 neighbor {peer} timers 3 9
"""


class Router:
    """One router: its namespace, directory, addresses and daemons."""

    def __init__(self, lab, name, num, asn):
        self.lab = lab
        self.name = name
        self.num = num			# 1 or 2: the address plan's digit
        self.asn = asn
        self.ns = "%s%d-%s" % (PREFIX, os.getpid(), name)
        self.dir = os.path.join(lab.dir, name)
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        self.mgmt = "169.254.%d.1" % num	# what the agent polls
        self.host_side = "169.254.%d.2" % num
        self.core = "169.254.12.%d" % num	# the BGP link (eth1)
        self.edge = "169.254.21.%d" % num	# the fault link (eth2)
        self.agentx = os.path.join(self.dir, "agentx.sock")
        self.persist = os.path.join(self.dir, "snmp-persist")
        self.snmpd = None
        self.zebra = None
        self.bgpd = None
        self.overrides = {}		# ifIndex -> settable ifInErrors
        # snmpEngineID: enterprise 8072 (net-snmp), format 4 (text).
        self.engine_id = "0x80001f8804" + ("fwlab-" + name).encode().hex()

    @property
    def peer(self):
        return self.lab.routers["r2" if self.name == "r1" else "r1"]

    def path(self, name):
        return os.path.join(self.dir, name)

    def ifindex(self, ifname):
        out = run(["ip", "-n", self.ns, "-j", "link", "show", "dev",
                   ifname]).stdout
        return json.loads(out)[0]["ifindex"]

    # ---- snmpd ----

    def write_snmpd_conf(self):
        lines = ["override -rw %s.%d counter 0" % (IF_IN_ERRORS, idx)
                 for idx in sorted(self.overrides)]
        os.makedirs(self.path("snmpd-conf"), exist_ok=True)
        with open(self.path("snmpd-conf/snmpd.conf"), "w") as f:
            f.write(SNMPD_CONF.format(
                name=self.name, mgmt=self.mgmt, community=COMMUNITY,
                engine=self.engine_id,
                v3user=V3_USER, v3auth=V3_AUTH, v3priv=V3_PRIV,
                agentx=self.agentx, overrides="\n".join(lines),
                trap_addr=TRAP_ADDR, trap_port=TRAP_PORT))

    def start_snmpd(self):
        os.makedirs(self.persist, exist_ok=True)
        self.write_snmpd_conf()
        log = self.path("snmpd.log")
        # Not -C -c CONF: with -C snmpd never reads its persistent file, so
        # snmpEngineBoots would stay 1 across restarts, unlike a router.
        # SNMPCONFPATH names only our directory and the persistent one
        # (nothing from /etc/snmp or ~/.snmp is read).
        env = env_snmp(self.persist)
        env["SNMPCONFPATH"] = self.path("snmpd-conf") + ":" + self.persist
        self.snmpd = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "snmpd", "-f", "-I", "-smux",
             "-Lf", log, "-p", self.path("snmpd.pid")],
            env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: self.local_get(SYS_UPTIME) is not None, 10,
                 what="snmpd of %s" % self.name)
        os.chmod(self.agentx, 0o777)
        # ifTable (and ifXTable, which shares its cache) is cached 3 s:
        # 1 s makes a link change visible within a second (never 0: the
        # cache would stop reloading).
        self.local_set(NS_CACHE_TIMEOUT + IF_TABLE, "i", "1")

    def stop_snmpd(self):
        if self.snmpd is not None:
            self.snmpd.terminate()
            try:
                self.snmpd.wait(10)
            except subprocess.TimeoutExpired:
                self.snmpd.kill()
                self.snmpd.wait()
            self.snmpd = None

    def local_get(self, oid):
        """oid's value read over the router's own loopback, or None."""
        r = run(["snmpget", "-v2c", "-c", COMMUNITY, "-On", "-Oqv", "-t",
                 "0.5", "-r", "0", "127.0.0.1", oid], ns=self.ns,
                check=False, env=env_snmp())
        if r.returncode != 0 or "No Such" in r.stdout:
            return None
        return r.stdout.strip()

    def local_set(self, oid, typ, value):
        run(["snmpset", "-v2c", "-c", "private", "-t", "1", "-r", "2",
             "127.0.0.1", oid, typ, value], ns=self.ns, env=env_snmp())

    # ---- FRR ----

    def start_frr(self):
        run_dir = self.path("frr")
        os.makedirs(run_dir, exist_ok=True)
        shutil.chown(run_dir, "frr", "frr")
        snmp_conf_dir = self.path("frr-snmp")
        os.makedirs(snmp_conf_dir, exist_ok=True)
        # bgpd's AgentX subagent reads net-snmp's frr.conf from
        # SNMPCONFPATH: the socket path must be this namespace's own.
        with open(os.path.join(snmp_conf_dir, "frr.conf"), "w") as f:
            f.write("agentXSocket unix:%s\n" % self.agentx)
        persist = os.path.join(run_dir, "snmp")
        os.makedirs(persist, exist_ok=True)
        shutil.chown(persist, "frr", "frr")
        with open(os.path.join(run_dir, "zebra.conf"), "w") as f:
            f.write(ZEBRA_CONF.format(name=self.name, dir=run_dir))
        with open(os.path.join(run_dir, "bgpd.conf"), "w") as f:
            f.write(BGPD_CONF.format(name=self.name, dir=run_dir,
                                     asn=self.asn, addr=self.core,
                                     peer=self.peer.core,
                                     peer_asn=self.peer.asn))
        for fn in os.listdir(run_dir):
            shutil.chown(os.path.join(run_dir, fn), "frr", "frr")
        zserv = os.path.join(run_dir, "zserv.api")
        env = dict(env_snmp(persist), SNMPCONFPATH=snmp_conf_dir)
        common = ["-z", zserv, "--vty_socket", run_dir, "-u", "frr",
                  "-g", "frr", "-P", "0"]
        self.zebra = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, FRR_BIN + "/zebra",
             "-f", os.path.join(run_dir, "zebra.conf"),
             "-i", os.path.join(run_dir, "zebra.pid")] + common,
            env=env, stdin=subprocess.DEVNULL,
            stdout=open(self.path("zebra.out"), "w"),
            stderr=subprocess.STDOUT)
        wait_for(lambda: os.path.exists(zserv), 10,
                 what="zebra of %s" % self.name)
        self.bgpd = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, FRR_BIN + "/bgpd", "-M", "snmp",
             "-f", os.path.join(run_dir, "bgpd.conf"),
             "-i", os.path.join(run_dir, "bgpd.pid"), "-p", "179"] + common,
            env=env, stdin=subprocess.DEVNULL,
            stdout=open(self.path("bgpd.out"), "w"),
            stderr=subprocess.STDOUT)

    def stop_frr(self):
        for attr in ("bgpd", "zebra"):
            p = getattr(self, attr)
            if p is not None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
                setattr(self, attr, None)


class Lab:
    """The whole lab.  Lab() builds and starts it; close() (also at exit,
    on SIGTERM, and leaving a with block) removes everything it made."""

    def __init__(self, keep=False):
        for ns in stale_namespaces():
            kill_namespace(ns)
        remove_stale_dirs()
        self.keep = keep or os.environ.get("FW_KEEP") == "1"
        self.dir = tempfile.mkdtemp(prefix="fwrouter-%d-" % os.getpid())
        os.chmod(self.dir, 0o755)
        global CLIENT_DIR
        CLIENT_DIR = os.path.join(self.dir, "client-snmp")
        os.makedirs(CLIENT_DIR)
        self.host_ns = "%s%d-host" % (PREFIX, os.getpid())
        self.namespaces = []
        self.closed = False
        self.nft_tables = set()		# (ns, table) made by faults
        atexit.register(self.close)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        self.routers = {}
        try:
            self.routers["r1"] = Router(self, "r1", 1, 65001)
            self.routers["r2"] = Router(self, "r2", 2, 65002)
            self.build()
            for r in self.routers.values():
                r.start_snmpd()
            for r in self.routers.values():
                r.start_frr()
            self.wait_bgp(True, 30)
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __getitem__(self, name):
        return self.routers[name]

    # ---- topology ----

    def add_ns(self, ns):
        run(["ip", "netns", "add", ns])
        self.namespaces.append(ns)
        run(["ip", "-n", ns, "link", "set", "lo", "up"])

    def veth(self, ns_a, a, ns_b, b):
        run(["ip", "link", "add", a, "netns", ns_a, "type", "veth", "peer",
             "name", b, "netns", ns_b])

    def build(self):
        h = self.host_ns
        r1, r2 = self.routers["r1"], self.routers["r2"]
        for ns in (h, r1.ns, r2.ns):
            self.add_ns(ns)
        # Fixed order, so ifIndex is the same every run: in each router
        # lo 1, mgmt 2, eth1 3, eth2 4.
        self.veth(h, "to-r1", r1.ns, "mgmt")
        self.veth(h, "to-r2", r2.ns, "mgmt")
        self.veth(r1.ns, "eth1", r2.ns, "eth1")
        self.veth(r1.ns, "eth2", r2.ns, "eth2")
        run(["ip", "-n", h, "addr", "add", TRAP_ADDR + "/32", "dev", "lo"])
        for r in (r1, r2):
            run(["ip", "-n", h, "addr", "add", r.host_side + "/30", "dev",
                 "to-" + r.name])
            run(["ip", "-n", h, "link", "set", "to-" + r.name, "up"])
            run(["ip", "-n", r.ns, "addr", "add", r.mgmt + "/30", "dev",
                 "mgmt"])
            run(["ip", "-n", r.ns, "addr", "add", r.core + "/24", "dev",
                 "eth1"])
            run(["ip", "-n", r.ns, "addr", "add", r.edge + "/24", "dev",
                 "eth2"])
            for dev in ("mgmt", "eth1", "eth2"):
                run(["ip", "-n", r.ns, "link", "set", dev, "up"])
            # Only the trap listener is routed to; no default route.
            run(["ip", "-n", r.ns, "route", "add", TRAP_ADDR + "/32", "via",
                 r.host_side])
            r.overrides = {r.ifindex("eth1"): "eth1", r.ifindex("eth2"):
                           "eth2"}

    # ---- probes, from the agent's namespace ----

    def snmp(self, tool, router, *args, version="2c", timeout=2, retries=2):
        r = self.routers[router]
        if version == "3":
            cred = ["-v3", "-l", "authPriv", "-u", V3_USER, "-a", "SHA-256",
                    "-A", V3_AUTH, "-x", "AES", "-X", V3_PRIV]
        else:
            cred = ["-v2c", "-c", COMMUNITY]
        return run([tool] + cred + ["-On", "-t", str(timeout), "-r",
                                    str(retries), r.mgmt] + list(args),
                   ns=self.host_ns, check=False, env=env_snmp())

    def snmpget(self, router, oid, version="2c"):
        """oid's value (the text after the type) or None; "NOSUCH" for a
        noSuchObject/noSuchInstance answer."""
        r = self.snmp("snmpget", router, "-Oqvt", oid, version=version)
        if r.returncode != 0:
            return None
        out = r.stdout.strip()
        if out.startswith("No Such"):
            return "NOSUCH"
        return out

    def snmpwalk(self, router, oid, version="2c"):
        """{suffix: value} of a bulk walk under oid ({} if no answer)."""
        r = self.snmp("snmpbulkwalk", router, "-Oq", "-Cr50", oid,
                      version=version)
        got = {}
        for line in r.stdout.splitlines():
            k, _, v = line.partition(" ")
            if k.startswith(oid + "."):
                got[k[len(oid) + 1:]] = v.strip().strip('"')
        return got

    def if_column(self, router, column, ifname):
        return self.snmpget(router, "%s.%d" % (
            column, self.routers[router].ifindex(ifname)))

    def oper_status(self, router, ifname):
        v = self.if_column(router, IF_OPER, ifname)
        return int(v) if v and v.isdigit() else None

    def bgp_state(self, router):
        """bgpPeerState of the router's one peer: 6 established, an int,
        "NOSUCH" while BGP4-MIB is not registered, None on no answer."""
        r = self.routers[router]
        v = self.snmpget(router, "%s.%s" % (BGP_PEER_STATE, r.peer.core))
        return int(v) if v and v.isdigit() else v

    def wait_bgp(self, established, timeout=30):
        def ok():
            s = [self.bgp_state(n) for n in self.routers]
            return all((x == 6) == established and x is not None and
                       x != "NOSUCH" for x in s)
        wait_for(ok, timeout, 0.3, "BGP %s" % ("established" if established
                                               else "down"))

    # ---- faults ----

    def link_admin(self, router, ifname, up):
        """ip link set dev IFNAME down/up in the router (admin status)."""
        run(["ip", "-n", self.routers[router].ns, "link", "set", "dev",
             ifname, "up" if up else "down"])

    def carrier(self, router, ifname, up):
        """Carrier loss on router's IFNAME: its peer end (in the other
        router, same name) is set down; router's link stays admin up."""
        run(["ip", "-n", self.routers[router].peer.ns, "link", "set", "dev",
             ifname, "up" if up else "down"])

    def nft(self, ns, table, rules):
        """An nftables table (inet) in ns with one filter chain per hook:
        rules is {hook: [rule, ...]}; None removes the table."""
        if rules is None:
            if (ns, table) in self.nft_tables:
                run(["nft", "delete", "table", "inet", table], ns=ns,
                    check=False)
                self.nft_tables.discard((ns, table))
            return
        text = "table inet %s {\n" % table
        for hook, lines in rules.items():
            text += (" chain %s {\n  type filter hook %s priority 0;\n"
                     % (hook, hook))
            text += "".join("  %s\n" % line for line in lines)
            text += " }\n"
        text += "}\n"
        run(["nft", "-f", "-"], ns=ns, input=text)
        self.nft_tables.add((ns, table))

    def bgp_blackhole(self, on):
        """TCP 179 between the routers dropped (in r1, both ways); the
        link stays up, so the session dies only by its hold timer (9 s)."""
        rules = ["tcp dport 179 drop", "tcp sport 179 drop"]
        self.nft(self.routers["r1"].ns, "fwlab_bgp",
                 {"input": rules, "output": rules} if on else None)

    def unreachable(self, router, on):
        """The router's SNMP agent silent to the agent (its management
        address drops UDP 161 and 162 both ways); the router runs on."""
        rules = ["ip saddr %s udp dport 161 drop" % self.routers[router]
                 .host_side]
        self.nft(self.routers[router].ns, "fwlab_unreach",
                 {"input": rules} if on else None)

    def reboot(self, router, replaced=False):
        """snmpd restarted: sysUpTime starts again from 0 (coldStart trap),
        snmpEngineBoots + 1, BGP4-MIB answers noSuchObject until bgpd's
        AgentX is back.  replaced: the unit swapped for a spare with the
        same address and credentials (a new snmpEngineID, boots from 1)."""
        r = self.routers[router]
        r.stop_snmpd()
        if replaced:
            r.replacements = getattr(r, "replacements", 0) + 1
            r.engine_id = "0x80001f8804" + ("fwlab-%s-spare%d" % (
                r.name, r.replacements)).encode().hex()
            shutil.rmtree(r.persist, ignore_errors=True)
        r.start_snmpd()

    def set_errors(self, router, ifname, value):
        """ifInErrors of IFNAME set to value (a Counter32 SET to the
        override line: snmpset(1) cannot send Counter32)."""
        r = self.routers[router]
        idx = r.ifindex(ifname)
        if idx not in r.overrides:
            raise ValueError("%s %s has no override line" % (router, ifname))
        py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") \
            else sys.executable
        run([py, os.path.join(HERE, "setcounter.py"), "127.0.0.1",
             "private", "%s.%d" % (IF_IN_ERRORS, idx), str(value)],
            ns=r.ns)

    def traffic(self, router, count=20):
        """count UDP datagrams over eth2 to the other router (port 9, which
        answers with ICMP): packets for the counters, without ping."""
        r = self.routers[router]
        run([sys.executable, "-c",
             "import socket, sys, time\n"
             "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
             "for _ in range(int(sys.argv[2])):\n"
             "    s.sendto(b'x' * 64, (sys.argv[1], 9))\n"
             "    time.sleep(0.002)\n", r.peer.edge, str(count)], ns=r.ns)

    def add_interfaces(self, router, pairs=100, up=True):
        """pairs veth pairs (2 * pairs interfaces, xN/yN) made in the
        router with one ip -batch; they go with the namespace."""
        r = self.routers[router]
        batch = r.path("batch")
        with open(batch, "w") as f:
            for i in range(pairs):
                f.write("link add x%d type veth peer name y%d\n" % (i, i))
            if up:
                for i in range(pairs):
                    f.write("link set x%d up\nlink set y%d up\n" % (i, i))
        run(["ip", "-n", r.ns, "-batch", batch])

    def send_trap(self, router, trap, ifname=None, inform=False,
                  version="2c", port=TRAP_PORT):
        """A trap (or an inform) sent from the router's namespace to the
        agent's listener, v2c (community public) or v3 (labv3, authPriv:
        an inform, the listener being authoritative): trap is
        TRAP_LINK_DOWN, TRAP_LINK_UP or TRAP_COLD_START; link traps carry
        ifIndex, ifAdminStatus and ifOperStatus of IFNAME as the router
        reads them now.  For an inform: True once it was acknowledged."""
        r = self.routers[router]
        varbinds = []
        if ifname is not None:
            idx = r.ifindex(ifname)
            for col in (".1.3.6.1.2.1.2.2.1.1", IF_ADMIN, IF_OPER):
                v = r.local_get("%s.%d" % (col, idx))
                varbinds += ["%s.%d" % (col, idx), "i", v or "2"]
        if version == "3":
            cred = ["-v3", "-l", "authPriv", "-u", V3_USER, "-a", "SHA-256",
                    "-A", V3_AUTH, "-x", "AES", "-X", V3_PRIV]
            inform = True
        else:
            cred = ["-v2c", "-c", COMMUNITY]
        tool = "snmpinform" if inform else "snmptrap"
        res = run([tool] + cred + ["-t", "1", "-r", "2",
                                   "%s:%d" % (TRAP_ADDR, port), "", trap] +
                  varbinds, ns=r.ns, env=env_snmp(), check=not inform)
        return res.returncode == 0

    # ---- measuring ----

    def count_requests(self, router, on):
        """An nftables counter of SNMP requests reaching the router from
        the agent (on=True makes it, False removes it)."""
        r = self.routers[router]
        self.nft(r.ns, "fwlab_count", {"input": [
            "ip saddr %s udp dport 161 counter" % r.host_side]}
                 if on else None)

    def requests(self, router):
        r = self.routers[router]
        out = run(["nft", "list", "table", "inet", "fwlab_count"],
                  ns=r.ns).stdout
        m = re.search(r"counter packets (\d+)", out)
        return int(m.group(1)) if m else 0

    # ---- the agent ----

    def agent(self, cmd, **kw):
        """A Popen of cmd in the agent's namespace."""
        return subprocess.Popen(["ip", "netns", "exec", self.host_ns] +
                                list(cmd), **kw)

    def agent_run(self, cmd, **kw):
        return run(cmd, ns=self.host_ns, check=False, **kw)

    # ---- teardown ----

    def close(self):
        if self.closed:
            return
        self.closed = True
        for r in self.routers.values():
            try:
                r.stop_frr()
            except Exception:
                pass
            try:
                r.stop_snmpd()
            except Exception:
                pass
        for ns in self.namespaces:
            # With anything still running in it (what a test started).
            kill_namespace(ns)
        self.namespaces = []
        if self.keep:
            print("lab kept in", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


# ---- a trap catcher for the self-test (the agent's listener stands here in
# the scenarios) ----

CATCH = """
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
print("ready", flush=True)
while True:
    data, peer = s.recvfrom(65536)
    print("%.3f %s %s" % (time.time(), peer[0], data.hex()), flush=True)
"""


def ber_oid(oid):
    """The BER content bytes of a numeric OID (for finding it in a PDU)."""
    parts = [int(x) for x in oid.strip(".").split(".")]
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7f]
        p >>= 7
        while p:
            enc.insert(0, 0x80 | (p & 0x7f))
            p >>= 7
        out += bytes(enc)
    return out


class TrapCatcher:
    """A UDP socket on the trap listener's address in the agent namespace,
    recording (time, source, packet) of every datagram."""

    def __init__(self, lab, port=TRAP_PORT):
        self.proc = lab.agent([sys.executable, "-c", CATCH, TRAP_ADDR,
                               str(port)], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "ready"
        self.got = []
        import threading
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            t, src, data = line.split()
            self.got.append((float(t), src, bytes.fromhex(data)))

    def traps(self, oid, source=None, since=0.0):
        pat = ber_oid(oid)
        return [t for t, src, data in self.got if pat in data and t >= since
                and (source is None or src == source)]

    def close(self):
        self.proc.kill()
        self.proc.wait()


def selftest(L):
    """Each piece of the lab proved from the agent's namespace, as the
    collector will see it.  Returns [(ok, what)]."""
    res = []

    def check(cond, what):
        res.append((bool(cond), what))
        print("%s lab: %s" % ("ok  " if cond else "FAIL", what), flush=True)
        return cond

    def settle(pred, timeout=10.0):
        try:
            return wait_for(pred, timeout, 0.1)
        except TimeoutError:
            return False

    names = L.snmpwalk("r1", IF_NAME)
    check(sorted(names.values()) == ["eth1", "eth2", "lo", "mgmt"],
          "r1 ifName over v2c: %s" % sorted(names.values()))
    check(L.snmpwalk("r1", IF_NAME, version="3") == names,
          "r1 ifName over v3 authPriv (SHA-256, AES)")
    check(L.snmpwalk("r2", IF_NAME, version="3") != {}, "r2 over v3")
    check(L.bgp_state("r1") == 6 and L.bgp_state("r2") == 6,
          "bgpPeerState 6 (established) on both routers")
    catcher = TrapCatcher(L)
    try:
        t0 = time.time()
        L.link_admin("r1", "eth2", False)
        check(settle(lambda: L.oper_status("r1", "eth2") == 2, 5) and
              L.if_column("r1", IF_ADMIN, "eth2") == "2",
              "admin down: r1 eth2 ifAdminStatus 2, ifOperStatus 2")
        check(settle(lambda: L.oper_status("r2", "eth2") == 2, 5) and
              L.if_column("r2", IF_ADMIN, "eth2") == "1",
              "carrier loss seen by the peer: r2 eth2 admin 1, oper 2")
        check(settle(lambda: catcher.traps(TRAP_LINK_DOWN, L["r1"].mgmt,
                                           t0), 5),
              "snmpd's own linkDown trap from r1 reached %s:%d"
              % (TRAP_ADDR, TRAP_PORT))
        t1 = time.time()
        L.link_admin("r1", "eth2", True)
        check(settle(lambda: L.oper_status("r1", "eth2") == 1 and
                     L.oper_status("r2", "eth2") == 1, 5), "eth2 up again")
        check(settle(lambda: catcher.traps(TRAP_LINK_UP, L["r1"].mgmt, t1),
                     5), "and a linkUp trap")
        t2 = time.time()
        L.send_trap("r2", TRAP_LINK_DOWN, "eth2")
        check(settle(lambda: catcher.traps(TRAP_LINK_DOWN, L["r2"].mgmt,
                                           t2), 3),
              "snmptrap from r2's namespace reached the listener")
    finally:
        catcher.close()
    L.carrier("r1", "eth2", False)
    check(settle(lambda: L.oper_status("r1", "eth2") == 2, 5) and
          L.if_column("r1", IF_ADMIN, "eth2") == "1",
          "carrier loss on r1 eth2 (r2's end down): admin 1, oper 2")
    L.carrier("r1", "eth2", True)
    check(settle(lambda: L.oper_status("r1", "eth2") == 1, 5),
          "carrier back")
    L.traffic("r1", 5)
    L.set_errors("r1", "eth2", 1234)
    check(settle(lambda: L.if_column("r1", IF_IN_ERRORS, "eth2") == "1234",
                 3), "ifInErrors of r1 eth2 set to 1234 (Counter32 SET)")
    L.set_errors("r1", "eth2", 0)
    L.unreachable("r1", True)
    check(L.snmpget("r1", SYS_UPTIME) is None and
          L.snmpget("r2", SYS_UPTIME) is not None,
          "r1 unreachable (udp 161 dropped), r2 answers")
    L.unreachable("r1", False)
    check(L.snmpget("r1", SYS_UPTIME) is not None, "r1 reachable again")
    t = time.time()
    L.bgp_blackhole(True)
    check(settle(lambda: L.bgp_state("r1") not in (6, None, "NOSUCH"), 15),
          "blackhole: r1 bgpPeerState leaves 6 after %.1f s (hold timer 9 s)"
          % (time.time() - t))
    check(L.oper_status("r1", "eth1") == 1, "eth1 stays up meanwhile")
    t = time.time()
    L.bgp_blackhole(False)
    check(settle(lambda: L.bgp_state("r1") == 6 and L.bgp_state("r2") == 6,
                 20), "healed: established again after %.1f s"
          % (time.time() - t))
    before = _ticks(L.snmpget("r1", SYS_UPTIME))
    t = time.time()
    L.reboot("r1")
    after = _ticks(L.snmpget("r1", SYS_UPTIME))
    check(after is not None and before is not None and after < before,
          "reboot: sysUpTime %s -> %s" % (before, after))
    check(L.bgp_state("r1") == "NOSUCH",
          "BGP4-MIB noSuchObject right after the reboot")
    check(settle(lambda: L.bgp_state("r1") == 6, 40),
          "BGP4-MIB back (6) %.1f s after the reboot" % (time.time() - t))
    t = time.time()
    L.add_interfaces("r2", 100)
    n = settle(lambda: len(L.snmpwalk("r2", IF_NAME)) >= 204, 10)
    check(n, "200 more interfaces on r2 in ifName after %.1f s"
          % (time.time() - t))
    return res


def _ticks(v):
    return int(v) if v and v.isdigit() else None


if __name__ == "__main__":
    if sys.argv[1:] == ["selftest"]:
        t = time.time()
        with Lab() as L:
            print("lab up in %.1f s" % (time.time() - t))
            r = selftest(L)
        bad = sum(1 for ok, _ in r if not ok)
        print("%d passed, %d failed (%.1f s)" % (len(r) - bad, bad,
                                                  time.time() - t))
        sys.exit(1 if bad else 0)
    # By hand: build the lab, print its layout, wait for ^C.
    with Lab() as L:
        print("agent namespace %s (trap listener address %s:%d)"
              % (L.host_ns, TRAP_ADDR, TRAP_PORT))
        for r in L.routers.values():
            print("%s: namespace %s, snmpd %s (v2c %s, v3 %s), dir %s"
                  % (r.name, r.ns, r.mgmt, COMMUNITY, V3_USER, r.dir))
        print("BGP r1-r2:", L.bgp_state("r1"), L.bgp_state("r2"))
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
