"""The QEMU hardware lab: a Debian kernel under TCG with AHCI, NVMe, two
hot-pluggable virtio disks and a virtio NIC; faults are injected over QMP and
commands run in the guest over a second serial port.

    with Lab(build_dir) as lab:
        rc, out = lab.run("forewarnd --once --format json")
        lab.qmp("qom-set", path="/machine/peripheral/nvme0",
                property="smart_critical_warning", value=1)
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

DISK_MB = 64


class LabError(Exception):
    pass


class Lab:
    def __init__(self, build_dir, memory="256M"):
        self.dir = os.path.join(os.path.abspath(build_dir), "lab")
        self.memory = memory
        self.work = None
        self.proc = None
        self.ctl = None
        self.qmp_sock = None
        self.buf = b""
        with open(os.path.join(self.dir, "kernel-version")) as f:
            self.kernel_version = f.read().strip()

    # ---- start and stop ----

    def _disk(self, name):
        path = os.path.join(self.work, name + ".img")
        with open(path, "wb") as f:
            f.truncate(DISK_MB << 20)
        return path

    def _blockdev(self, node, name):
        # A file node plus a raw node on top, so blkdebug can be slid in.
        return ["-blockdev", "driver=file,node-name=%sf,filename=%s"
                % (node, self._disk(name)),
                "-blockdev", "driver=raw,node-name=%s,file=%sf" % (node, node)]

    def command_line(self):
        accel = "kvm" if os.environ.get("FW_LAB_KVM") == "1" else "tcg"
        cmd = ["qemu-system-x86_64", "-M", "q35", "-accel", accel,
               "-cpu", "max", "-smp", "1", "-m", self.memory,
               "-nodefaults", "-display", "none", "-no-reboot",
               "-kernel", os.path.join(self.dir, "vmlinux"),
               "-initrd", os.path.join(self.dir, "initrd.cpio"),
               "-append", "console=ttyS0 panic=1 quiet",
               "-serial", "file:" + os.path.join(self.work, "console.log"),
               "-chardev", "socket,id=ctl,path=%s,server=on,wait=off"
               % os.path.join(self.work, "ctl.sock"),
               "-serial", "chardev:ctl",
               "-qmp", "unix:%s,server=on,wait=off"
               % os.path.join(self.work, "qmp.sock")]
        cmd += self._blockdev("d0", "ahci0")
        cmd += ["-device", "ide-hd,drive=d0,bus=ide.0,serial=LAB-AHCI-0001,"
                "model=LAB AHCI DISK"]
        cmd += self._blockdev("n0", "nvme0")
        cmd += ["-device", "nvme,id=nvme0,serial=LAB-NVME-0001,drive=n0"]
        for i in (1, 2):
            cmd += ["-device", "pcie-root-port,id=rp%d,chassis=%d,slot=%d"
                    % (i, i, i)]
            cmd += self._blockdev("r%d" % i, "virt%d" % i)
            cmd += ["-device", "virtio-blk-pci,id=vr%d,drive=r%d,bus=rp%d,"
                    "serial=LAB-VIRT-000%d" % (i, i, i, i)]
        cmd += ["-netdev", "user,id=net0,restrict=on",
                "-device", "virtio-net-pci,id=nic0,netdev=net0,romfile="]
        return cmd

    def _connect(self, name, deadline):
        path = os.path.join(self.work, name)
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise LabError("qemu exited: %s" % self.console())
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                return s
            except OSError:
                time.sleep(0.05)
        raise LabError("cannot connect to %s" % name)

    def start(self, timeout=120):
        self.work = tempfile.mkdtemp(prefix="fwlab.")
        self.boot_started = time.time()
        self.proc = subprocess.Popen(self.command_line(),
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(
                                         self.work, "qemu.log"), "w"))
        deadline = time.time() + timeout
        self.ctl = self._connect("ctl.sock", deadline)
        self._read_until(b"@@READY@@\n", deadline)
        self.boot_seconds = time.time() - self.boot_started
        self.qmp_sock = self._connect("qmp.sock", deadline)
        self.qmp_file = self.qmp_sock.makefile("rwb")
        json.loads(self.qmp_file.readline())        # the greeting
        self.qmp("qmp_capabilities")
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.qmp("quit")
            except Exception:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for s in (self.ctl, self.qmp_sock):
            if s is not None:
                s.close()
        if self.work and os.environ.get("FW_LAB_KEEP") != "1":
            shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def console(self):
        try:
            with open(os.path.join(self.work, "console.log"), "rb") as f:
                return f.read().decode(errors="replace")[-4000:]
        except OSError:
            return ""

    # ---- the guest command channel ----

    def _read_until(self, marker, deadline):
        while marker not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise LabError("timed out waiting for %r after %r; "
                               "console:\n%s"
                               % (marker, self.buf[-200:], self.console()))
            self.ctl.settimeout(left)
            try:
                chunk = self.ctl.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise LabError("guest channel closed; console:\n%s"
                               % self.console())
            self.buf += chunk
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def run(self, command, timeout=60):
        """Run one shell line in the guest; (exit status, output)."""
        if "\n" in command:
            raise ValueError("one line per command")
        self.ctl.sendall(command.encode() + b"\n")
        out = self._read_until(b"@@\n", time.time() + timeout)
        text = out.decode(errors="replace")
        head, _, tail = text.rpartition("@@DONE ")
        return int(tail.rstrip("@\n")), head

    def spawn(self, command):
        """Start a command in the guest's background."""
        return self.run("(%s) </dev/null >/dev/null 2>&1 &" % command)

    def events(self, path="/tmp/events.jsonl"):
        """The events a daemon in the guest wrote as JSON lines to path."""
        rc, out = self.run("cat %s 2>/dev/null" % path)
        return [json.loads(line) for line in out.splitlines()
                if line.strip()]

    # ---- faults ----

    def inject_read_errors(self, node="d0"):
        """Slide blkdebug under a disk's raw node: every read fails EIO."""
        self.inject_errors(node, ("read_aio",))

    def inject_errors(self, node, events):
        """Slide blkdebug under a disk's raw node: each of events (blkdebug
        names: read_aio, write_aio, ...) fails with EIO."""
        self.qmp("blockdev-add", **{"driver": "blkdebug",
                                    "node-name": node + "dbg",
                                    "image": node + "f", "inject-error": [
                                        {"event": e, "errno": 5}
                                        for e in events]})
        self.qmp("blockdev-reopen", options=[{"driver": "raw",
                                              "node-name": node,
                                              "file": node + "dbg"}])

    # ---- QMP ----

    def qmp(self, execute, **arguments):
        msg = {"execute": execute}
        if arguments:
            msg["arguments"] = arguments
        self.qmp_file.write(json.dumps(msg).encode() + b"\n")
        self.qmp_file.flush()
        while True:
            line = self.qmp_file.readline()
            if not line:
                raise LabError("QMP closed")
            reply = json.loads(line)
            if "event" in reply:
                continue
            if "error" in reply:
                raise LabError("QMP %s: %s" % (execute, reply["error"]))
            return reply.get("return")
