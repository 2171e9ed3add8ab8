# Run by tests/scenario/run.sh with set -e; see its vocabulary there.
# Records are appended to the fixture /dev/kmsg as read(2) returns them:
# "PRI,SEQ,USEC,FLAGS;TEXT" then " KEY=VALUE" dictionary lines.
seq=1000
rec() {		# rec PRI TEXT [DICT...]
	pri=$1 text=$2
	shift 2
	seq=$((seq + 1))
	printf '%s,%s,%s,-;%s\n' "$pri" "$seq" "$((seq * 1000))" "$text" \
	    >>"$root/dev/kmsg"
	for kv in "$@"; do printf ' %s\n' "$kv" >>"$root/dev/kmsg"; done
}
start				# a clean log, writable file systems
scan
rec 6 "ata3: SATA link up 6.0 Gbps (SStatus 133 SControl 300)"
rec 3 "ata3: hard resetting link" "SUBSYSTEM=ata"
rec 3 "ata3.00: failed command: READ FPDMA QUEUED"
rec 3 "ata3.00: error: { UNC }"
rec 3 "blk_update_request: critical medium error, dev sda, sector 1953525134 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0"
rec 4 "nvme nvme0: I/O 523 QID 3 timeout, aborting" "SUBSYSTEM=nvme" "DEVICE=c246:0"
rec 3 "e1000e 0000:03:00.0 eth0: Detected Hardware Unit Hang:"
rec 14 "ata3: hard resetting link (written by a user-space program)"
seq=$((seq + 1))		# an old kernel's continuation flag
printf '3,%s,%s,c;ata3: soft resetting link' "$seq" "$((seq * 1000))" \
    >>"$root/dev/kmsg"
printf '\n' >>"$root/dev/kmsg"
printf 'not a kmsg record at all\n3,garbage;\n' >>"$root/dev/kmsg"
printf '3,%s,1,-;ata3.00: error: { UNC } \377\376 bytes that are not UTF-8\n' \
    "$((seq + 1))" >>"$root/dev/kmsg"
seq=$((seq + 1))
scan				# link resets, medium errors and failed commands
				# on sda by serial; NVMe timeouts on its disk;
				# a transmit hang on eth0; user space ignored
i=0
{ while [ $i -lt 10000 ]; do
	seq=$((seq + 1)); i=$((i + 1))
	printf '3,%s,%s,-;I/O error, dev nvme0n1, sector %s op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0\n' \
	    "$seq" "$seq" "$i"
done; } >>"$root/dev/kmsg"
scan				# a storm of 10,000 lines: one condition
stop
start				# a restart replays nothing, raises nothing
scan
seq=$((seq + 25))		# the ring overran: 25 records lost
rec 3 "EXT4-fs error (device sda1): ext4_find_entry:1463: inode #2: comm ls: reading directory lblock 0"
rec 2 "EXT4-fs (sda1): Remounting filesystem read-only"
echo 3 >"$root/sys/fs/ext4/sda1/errors_count"
echo 1733097600 >"$root/sys/fs/ext4/sda1/first_error_time"
scan				# fs.errors; fs.readonly from the log, as 6.1
				# leaves mountinfo rw; the superblock's error
				# count; kmsg.gap
mi=$root/proc/self/mountinfo
cp "$mi" "$work/mountinfo"
grep -v ' 8:1 ' "$work/mountinfo" >"$mi"
scan				# unmounted for fsck: the episode is over
cp "$work/mountinfo" "$mi"
scan				# mounted again: writable, nothing to say
sed -i 's| - ext4 /dev/sda1 rw,| - ext4 /dev/sda1 ro,|' "$mi"
scan				# older kernels: superblock ro under a rw mount
cp "$work/mountinfo" "$mi"
sed -i 's/^read_errs 0/read_errs 7/' \
    "$root/sys/fs/btrfs/9a1e7c44-5b2d-4e8f-a0c1-2d3e4f5a6b7c/devinfo/1/error_stats"
scan				# btrfs records read errors; / writable again
alive
stop
