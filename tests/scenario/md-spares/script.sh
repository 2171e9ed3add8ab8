# Run by tests/scenario/run.sh with set -e; see its vocabulary there.
md=$root/sys/block/md0/md
mkdir -p "$root/etc/mdadm" "$root/sys/block/vdc"
echo SER-C >"$root/sys/block/vdc/serial"
# A spare, vdc: no slot, not in sync.
mkdir "$md/dev-vdc"
ln -s ../../../../devices/virtio/block/vdc "$md/dev-vdc/block"
echo spare >"$md/dev-vdc/state"
echo none >"$md/dev-vdc/slot"
echo 0 >"$md/dev-vdc/errors"
cat >"$root/etc/mdadm/mdadm.conf" <<'CONF'
# as mdadm --detail --scan writes it, with the spare count kept
HOMEHOST <system>
ARRAY /dev/md/0 metadata=1.2 UUID=5f1262d6:b6ce8866:598d8591:fd3caa47
    name=scenario-host:0 spares=1
ARRAY /dev/md/1 metadata=1.2 UUID=00000000:00000000:00000000:00000001 spares=x
CONF
start				# declared, with its spare: no alerts; the bad
expect_log "mdadm.conf line 5: ARRAY with a bad spares count 'x'"
rm -r "$md/dev-vdc"		# line is named in the log
scan				# raid.spare_missing warning: 0 of 1
# md127: assembled from left-over disks, declared nowhere.
cp -r "$root/sys/block/md0" "$root/sys/block/md127"
echo 7e57a11a-0000-4000-8000-00000000127f >"$root/sys/block/md127/md/uuid"
scan				# raid.new_array warning for md127
mkdir "$md/dev-vdc"
ln -s ../../../../devices/virtio/block/vdc "$md/dev-vdc/block"
echo spare >"$md/dev-vdc/state"
echo none >"$md/dev-vdc/slot"
echo 0 >"$md/dev-vdc/errors"
echo "ARRAY /dev/md127 UUID=7e57a11a:00004000:80000000:0000127f" \
    >>"$root/etc/mdadm/mdadm.conf"
scan				# both clear
stop
