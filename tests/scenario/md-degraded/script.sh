# Run by tests/scenario/run.sh with set -e; see its vocabulary there.
md=$root/sys/block/md0/md
start				# clean RAID1 over sda and vdb: no alerts
echo faulty >"$md/dev-vdb/state"
echo 1 >"$md/degraded"
scan				# raid.degraded critical (no redundancy left),
				# raid.member_faulty critical, naming SER-B
echo 0x5 >"$root/sys/block/sda/device/ioerr_cnt"
scan				# the last member errs: disk.io_errors, and
				# raid.at_risk critical naming sda by serial
echo spare >"$md/dev-vdb/state"	# a new disk in the slot...
echo recover >"$md/sync_action"
echo "32768 / 129024" >"$md/sync_completed"
echo 20480 >"$md/sync_speed"
scan				# ...degraded is a warning while it rebuilds
echo in_sync >"$md/dev-vdb/state"
echo 0 >"$md/degraded"
echo idle >"$md/sync_action"
echo none >"$md/sync_completed"
scan				# redundancy is back: at_risk clears
stop
