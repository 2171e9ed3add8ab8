# Run by tests/scenario/run.sh with set -e; see its vocabulary there.
# The stand-in tool and its state live in the private work directory.
fixtures=$(cd ../../fixtures/hwraid/storcli && pwd)
mkdir "$work/bin"
cp ../../lib/fake-storcli "$work/bin/storcli64"
use() { echo "$fixtures/$1" >"$work/bin/fixture"; }
mode() { echo "$1" >"$work/bin/mode"; }
printf '\n[hwraid]\nstorcli = %s\ntimeout = 1s\ninterval = 1h\n' \
    "$work/bin/storcli64" >>"$work/forewarn.conf"
# hw_scan: a full scan, and the controller pass it starts.
hw_scan() {
	passes=$(count_log "hwraid: pass")	# scan sets $n
	scan
	wait_log "hwraid: pass" "$passes"
}

use praid-raid6
start				# a healthy RAID6 on a PRAID EP420i: no alerts
wait_log "hwraid: pass" 0
use raid6-rebuilding
hw_scan				# Pdgd, a drive rebuilding at 37%
use raid6-at-risk
hw_scan				# Dgrd; 252:4 UBad; 252:0 predicts failure and
				# counts 12 media errors: raid.at_risk
mode hang
hw_scan				# the tool hangs: killed at 1 s, the controller
expect_log "killed at its deadline"	# unknown, the collector in error
mode ""
use truncated
hw_scan				# output cut short: still unknown; the error
expect_log "not JSON: line 176"	# names the place
use praid-raid6
hw_scan				# all recovers
use cv-learning
hw_scan				# the CacheVault learns: write-back off
use cv-failed
hw_scan				# it failed; the controller needs attention;
hw_scan				# the chip at 97 °C (two readings to raise)
use failure
hw_scan				# the controller fails the command itself:
				# unknown, its virtual drive not called gone
stop
