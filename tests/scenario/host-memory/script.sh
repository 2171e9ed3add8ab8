# Run by tests/scenario/run.sh with set -e; see its vocabulary there.
start			# memory at 50 %: nothing to say
meminfo 600000		# 7.4 %: below the warning level (10 %)
scan			# one low result: raise_after is 2, so no event yet
scan			# the second in a row raises host.memory warning
meminfo 100000		# 1.2 %: critical
scan
scan
kill9			# crash with the condition active...
start			# ...and the restart must not announce it again
scan
meminfo 4073720		# 50 %: recovered; clear_after is 2
scan
scan			# clear event, previous critical
reload bad.conf		# a typo: rejected, the old config keeps running
alive
expect_log "forewarn.conf:5: .*intervall"
scan			# agent.config_reload_failed is raised
reload forewarn.conf.good
scan			# ...and cleared
stop
