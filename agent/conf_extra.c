/* Implied keys of collector and sink sections (merged into conf.c later). */
#include <string.h>

#include "forewarn/collector.h"
#include "forewarn/conf.h"
#include "forewarn/util.h"

const char *
conf_section_value(const struct fw_conf_section *cs, const char *key)
{
	size_t i;

	if (cs == NULL)
		return NULL;
	/* The last one wins: later files override earlier ones. */
	for (i = cs->n_entries; i-- > 0;)
		if (strcmp(cs->entries[i].key, key) == 0)
			return cs->entries[i].value;
	return NULL;
}

bool
conf_section_enabled(const struct fw_conf_section *cs)
{
	const char *v = conf_section_value(cs, "enabled");
	bool b;

	if (v == NULL || fw_parse_bool(v, &b) < 0)
		return true;
	return b;
}

uint64_t
conf_collector_interval_ms(const struct fw_conf_section *cs,
    const struct fw_collector *c)
{
	const char *v = conf_section_value(cs, "interval");
	uint64_t ms;

	if (v == NULL || fw_parse_duration_ms(v, &ms) < 0)
		return c->interval_ms;
	return ms;
}

const char *
conf_sink_type(const struct fw_conf_section *cs)
{
	return conf_section_value(cs, "type");
}
