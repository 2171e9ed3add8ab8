/* Look-ups over the generated tables of built collectors and sink types. */
#include <string.h>

#include "forewarn/collector.h"
#include "forewarn/registry.h"

const struct fw_conf_schema *
registry_schema(void)
{
	static struct fw_conf_schema schema;

	schema.collectors = registry_collectors;
	schema.n_collectors = registry_n_collectors;
	schema.sinks = registry_sinks;
	schema.n_sinks = registry_n_sinks;
	schema.absent_collectors = registry_absent_collectors;
	schema.absent_sinks = registry_absent_sinks;
	return &schema;
}

const struct fw_collector *
registry_collector(const char *name)
{
	size_t i;

	for (i = 0; i < registry_n_collectors; i++)
		if (strcmp(registry_collectors[i]->name, name) == 0)
			return registry_collectors[i];
	return NULL;
}

const struct fw_sink_type *
registry_sink(const char *type)
{
	size_t i;

	if (type == NULL)
		return NULL;
	for (i = 0; i < registry_n_sinks; i++)
		if (strcmp(registry_sinks[i]->type, type) == 0)
			return registry_sinks[i];
	return NULL;
}

const struct fw_check_def *
registry_check(const char *code)
{
	const struct fw_check_def *d;
	size_t i;

	for (i = 0; i < registry_n_collectors; i++)
		for (d = registry_collectors[i]->checks; d != NULL &&
		    d->code != NULL; d++)
			if (strcmp(d->code, code) == 0)
				return d;
	return NULL;
}
