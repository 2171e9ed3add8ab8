# Run by tests/scenario/run.sh with set -e; see its vocabulary there.
mkfifo "$root/dev/vdz"		# opening it blocks, like a dying disk
start				# the first probe of vdz hangs in the helper
sleep 1.5			# past the 1 s deadline: disk.unresponsive
scan				# the loop still answers while the disk hangs
alive
expect_log "device 'vdz' did not answer within 1000 ms"
stop
