/*
 * A burst through the durable outbox, for bench/delivery.py: append N events
 * to a fresh store (each committed with synchronous=FULL, as the daemon
 * does) with the sinks of CONF, run the loop until every sink has them all,
 * print "N events in T s".  Events cycle over 100 conditions, each raised
 * and cleared in turn.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "forewarn/clock.h"
#include "forewarn/conf.h"
#include "forewarn/events.h"
#include "forewarn/log.h"
#include "forewarn/loop.h"
#include "forewarn/outbox.h"
#include "forewarn/registry.h"
#include "forewarn/store.h"

static char *
event(long i, char fp[FW_FINGERPRINT_LEN + 1])
{
	char when[32], id[32], key[64];
	json_t *o = json_object(), *ent = json_object();
	const char *state = (i / 100) % 2 == 0 ? "warning" : "ok";
	char *s;

	event_format_time(clock_wall_ms(), when);
	snprintf(id, sizeof(id), "burst-%ld", i % 100);
	snprintf(key, sizeof(key), "disk/%s", id);
	event_fingerprint("bench", key, "disk.medium_errors", fp);
	json_object_set_new(ent, "kind", json_string("disk"));
	json_object_set_new(ent, "id", json_string(id));
	json_object_set_new(ent, "name", json_string(id));
	json_object_set_new(ent, "labels", json_object());
	json_object_set_new(o, "schema", json_integer(1));
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "host", json_string("bench"));
	json_object_set_new(o, "entity", ent);
	json_object_set_new(o, "check", json_string("disk.medium_errors"));
	json_object_set_new(o, "state", json_string(state));
	json_object_set_new(o, "previous", json_string(strcmp(state, "ok") ==
	    0 ? "warning" : "ok"));
	json_object_set_new(o, "severity", json_string(strcmp(state, "ok") ==
	    0 ? "info" : "warning"));
	json_object_set_new(o, "since", json_string(when));
	json_object_set_new(o, "summary", json_string("a burst event"));
	json_object_set_new(o, "details", json_object());
	json_object_set_new(o, "fingerprint", json_string(fp));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

int
main(int argc, char **argv)
{
	char fp[FW_FINGERPRINT_LEN + 1], *json;
	struct fw_conf_errors errs = { 0 };
	struct fw_conf *conf;
	struct fw_store *store;
	struct fw_outbox *ob;
	struct fw_loop *loop;
	struct fw_mono t0, end;
	long i, n;

	if (argc != 4)
		errx(2, "usage: outbox-burst CONF STATE_DIR N");
	n = strtol(argv[3], NULL, 10);
	log_init(FW_LOG_WARN, "outbox-burst");
	if (conf_load(argv[1], registry_schema(), &conf, &errs) != 0)
		errx(2, "%s: %s", argv[1], errs.n > 0 ? errs.msgs[0] : "bad");
	if ((loop = loop_new()) == NULL)
		errx(2, "loop");
	store = store_open(argv[2], false);
	ob = outbox_new(loop, store);
	if (outbox_add_configured(ob, conf) == 0)
		errx(2, "no sink started");
	t0 = clock_mono_now();
	for (i = 0; i < n; i++) {
		json = event(i, fp);
		if (outbox_append(ob, clock_wall_ms(), fp, json,
		    strlen(json)) < 0)
			errx(1, "append %ld failed", i);
		free(json);
		loop_run_once(loop, 0);	/* let deliveries proceed */
	}
	end = mono_add_ms(clock_mono_now(), 300 * 1000);
	while (outbox_backlog(ob) > 0 && mono_before(clock_mono_now(), end))
		loop_run_once(loop, 100);
	printf("%ld events in %.3f s (backlog %lld)\n", n,
	    (double)mono_diff_ms(clock_mono_now(), t0) / 1000.0,
	    (long long)outbox_backlog(ob));
	outbox_free(ob);
	store_close(store);
	loop_free(loop);
	conf_free(conf);
	return 0;
}
