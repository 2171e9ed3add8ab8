/* forewarnd --test-alert: a test condition raised and resolved through every configured sink. */
#ifndef FOREWARN_TESTALERT_H
#define FOREWARN_TESTALERT_H

#include <stdint.h>
#include <stdio.h>

#include "forewarn/conf.h"

/*
 * Raise agent.test_alert, wait up to timeout_ms for every sink, resolve it,
 * wait again; print one line per sink and step to out.  0 when every sink
 * took both, 1 otherwise.
 */
int	test_alert_run(const struct fw_conf *conf, int64_t timeout_ms,
	    FILE *out);

#endif
