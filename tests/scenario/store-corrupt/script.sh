# Run by tests/scenario/run.sh with set -e; see its vocabulary there.
mkdir -p "$work/state"
i=0
while [ $i -lt 2000 ]; do echo "not an sqlite database"; i=$((i + 1)); done >"$work/state/state.db"
start			# agent.store_degraded critical, no crash
meminfo 100000		# and everything else still works in memory
scan
scan			# host.memory critical: raise_after 2
alive
expect_log "state store degraded, running in memory"
stop
