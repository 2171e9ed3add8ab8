# Run by tests/scenario/run.sh with set -e; see its vocabulary there.
mc=$root/sys/devices/system/edac/mc
zone=$root/sys/devices/virtual/thermal/thermal_zone0
nvme=$root/sys/devices/pci0000:00/0000:00:1d.0/0000:01:00.0/nvme/nvme0/hwmon1
start				# all quiet; DIMM_A1 has 3 old corrected errors
wait_log "collector 'sensors' polled" 0
echo 1 >"$mc/mc0/dimm0/dimm_ce_count"
echo 1 >"$mc/mc0/ce_count"
scan				# the first corrected error on a DIMM that had
				# none: memory.ecc_corrected warning
echo 15 >"$mc/mc1/csrow0/ch0_ce_count"
echo 15 >"$mc/mc1/ce_count"
scan				# DIMM_A1: 12 more within 24 h (threshold 10)
echo 1 >"$mc/mc0/dimm1/dimm_ue_count"
echo 1 >"$mc/mc0/ue_count"
scan				# an uncorrected error: critical
echo 96000 >"$zone/temp"
scan
scan				# past the passive trip (95) twice: warning
echo 106000 >"$zone/temp"
scan
scan				# past the critical trip (105): critical
echo 99000 >"$zone/temp"
scan
scan				# below crit's clear point (102): warning
echo 94000 >"$zone/temp"
scan
scan				# within the passive trip's hysteresis (2): warning
echo 90000 >"$zone/temp"
scan
scan				# cool again: ok
echo 1 >"$nvme/temp1_alarm"
scan				# the NVMe composite alarm flag: sensor.alarm
kill9				# crash with conditions active...
n=$(count_log "collector 'sensors' polled")
start				# ...the restart announces none of them again
wait_log "collector 'sensors' polled" "$n"
scan
echo 0 >"$nvme/temp1_alarm"
scan				# the alarm clears
echo 0 >"$mc/mc0/dimm0/dimm_ce_count"
scan				# counters reset (edac reset_counters): clear
echo 2 >"$mc/mc0/dimm0/dimm_ce_count"
scan				# new errors after the reset: a warning again
stop
