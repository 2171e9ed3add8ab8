#!/bin/sh
# Build the QEMU hardware lab: a Debian kernel (the package linux-image-amd64
# points at, from the Debian archive) and a busybox initramfs carrying
# forewarnd, its libraries and the kernel modules the lab devices need.
#   tests/lab/build.sh BUILD_DIR FOREWARND [TOOL...]
# Output: BUILD_DIR/lab/vmlinux and BUILD_DIR/lab/initrd.cpio.  The kernel
# package is cached in BUILD_DIR/lab/kernel/ between runs.
set -eu
out=$(realpath -m "$1/lab")
agent=$(realpath "$2")
shift 2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/kernel"

# Modules for AHCI, NVMe, virtio disks and NIC, md RAID1, bonding and
# sensors, loaded at boot; their dependencies are resolved with modprobe.
MODULES="ahci sd_mod sg nvme md-mod raid1 virtio_pci virtio_blk virtio_net
	bonding i2c-i801"
# Copied but loaded by the scenarios that need them, with parameters
# (i2c-stub needs chip_addr=); ext4 for the kernel log's file system errors;
# i2c-dev for i2cset.
ON_DEMAND="i2c-stub lm75 ext4 crc32c_generic i2c-dev"

kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
	    sed -n 's/^ *Depends: \(linux-image-[0-9].*\)/\1/p' | head -n 1
}
pkg=$(kernel_pkg)
if [ -z "$pkg" ]; then
	# Package lists missing or stale (a machine that never ran update).
	apt-get update -qq >/dev/null 2>&1 || true
	pkg=$(kernel_pkg)
fi
[ -n "$pkg" ] || { echo "lab: cannot find the Debian kernel package" >&2; exit 1; }
kver=${pkg#linux-image-}
kdir=$out/kernel/$kver
if [ ! -f "$kdir/vmlinux" ]; then
	rm -rf "$kdir"
	mkdir -p "$kdir"
	(cd "$kdir" && apt-get download "$pkg" >/dev/null 2>&1) ||
	    { echo "lab: apt-get download $pkg failed" >&2; exit 1; }
	dpkg -x "$kdir"/*.deb "$kdir/x"
	depmod -b "$kdir/x" "$kver"
	# vmlinuz is a bzImage with an xz payload: boot the uncompressed
	# vmlinux (PVH), which starts twice as fast under TCG.
	python3 - "$kdir/x/boot/vmlinuz-$kver" "$kdir/vmlinux.xz" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
i = data.find(b"\xfd7zXZ\x00")
if i < 0:
    sys.exit("lab: no xz payload in vmlinuz")
open(sys.argv[2], "wb").write(data[i:])
PY
	xz -dc --single-stream "$kdir/vmlinux.xz" >"$kdir/vmlinux" 2>/dev/null || true
	[ -s "$kdir/vmlinux" ] || { echo "lab: could not extract vmlinux" >&2; exit 1; }
	rm -f "$kdir/vmlinux.xz" "$kdir"/*.deb
fi

root=$out/root
rm -rf "$root"
mkdir -p "$root/bin" "$root/sbin" "$root/usr/local/bin" "$root/etc" \
    "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run" \
    "$root/var/lib/forewarn" "$root/lib/modules/$kver"
cp /bin/busybox "$root/bin/busybox"
for app in $("$root/bin/busybox" --list); do
	[ "$app" = busybox ] || ln -sf busybox "$root/bin/$app"
done

# Modules in load order, dependencies first.
copy_modules() {
	for m in "$@"; do
		modprobe -d "$kdir/x" -S "$kver" --show-depends "$m" |
		    awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r ko; do
		rel=${ko#"$kdir/x/lib/modules/$kver/"}
		mkdir -p "$root/lib/modules/$kver/$(dirname "$rel")"
		cp "$ko" "$root/lib/modules/$kver/$rel"
		echo "/lib/modules/$kver/$rel"
	done
}
copy_modules $MODULES >"$root/etc/modules.order"
copy_modules $ON_DEMAND >/dev/null
cp "$kdir/x/lib/modules/$kver"/modules.* "$root/lib/modules/$kver/" 2>/dev/null || true

# Dynamic binaries go in with the libraries ldd names.
copy_bin() {
	cp "$1" "$root/usr/local/bin/"
	ldd "$1" | awk '/=>/ { print $3 } /^\t\// { print $1 }' | while read -r lib; do
		[ -f "$lib" ] || continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
copy_bin "$agent"
for tool in "$@"; do
	copy_bin "$(realpath "$tool")"
done
for tool in mdadm smartctl smartd skdump nvme i2cset sensors mke2fs; do
	p=$(command -v "$tool" 2>/dev/null) && copy_bin "$p"
done
[ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$root/etc/"
# collectd with its sensors plugin, for bench/sensors.py.
if [ -x /usr/sbin/collectd ] && [ -f /usr/lib/collectd/sensors.so ]; then
	copy_bin /usr/sbin/collectd
	mkdir -p "$root/usr/lib/collectd" "$root/usr/share/collectd"
	cp /usr/lib/collectd/sensors.so "$root/usr/lib/collectd/"
	cp /usr/share/collectd/types.db "$root/usr/share/collectd/"
fi
# Instruction counts for make bench: callgrind inside the guest.
if [ "${FW_LAB_VALGRIND:-0}" = 1 ] && [ -x /usr/bin/valgrind.bin ]; then
	cp /usr/bin/valgrind "$root/usr/local/bin/valgrind"
	sed -i 's|/usr/bin/valgrind.bin|/usr/local/bin/valgrind.bin|' \
	    "$root/usr/local/bin/valgrind" 2>/dev/null || true
	copy_bin /usr/bin/valgrind.bin
	mkdir -p "$root/usr/libexec/valgrind"
	for f in callgrind-amd64-linux vgpreload_core-amd64-linux.so \
	    default.supp; do
		cp "/usr/libexec/valgrind/$f" "$root/usr/libexec/valgrind/"
	done
fi
cp "$here/guest-init" "$root/init"
chmod 0755 "$root/init"
echo "lab" >"$root/etc/hostname"
# The daemon, started as root, drops to this user (privilege separation).
printf 'root:x:0:0:root:/:/bin/sh\nforewarn:x:101:101:forewarn:/var/lib/forewarn:/bin/false\n' \
    >"$root/etc/passwd"
printf 'root:x:0:\nforewarn:x:101:\n' >"$root/etc/group"
echo "0123456789abcdef0123456789abcdef" >"$root/etc/machine-id"
printf 'PRETTY_NAME="forewarn QEMU lab (Debian %s kernel)"\n' "$kver" >"$root/etc/os-release"

(cd "$root" && find . | cpio -o -H newc --quiet) >"$out/initrd.cpio"
cp "$kdir/vmlinux" "$out/vmlinux"
echo "$kver" >"$out/kernel-version"
echo "lab: kernel $kver, initrd $(du -h "$out/initrd.cpio" | cut -f1)"
