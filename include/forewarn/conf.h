/*
 * Configuration: INI files read through inih into a fresh struct, validated
 * against the schemas of the built collectors and sinks, then swapped in.
 *
 * Sections:
 *   [agent]                  the daemon itself (agent_keys in conf.c)
 *   [NAME]                   a collector ("host", "net"); [NAME:INSTANCE] for
 *                            collectors with instances ("snmp:core1")
 *   [sink:NAME]              an alert destination; type = stdout | ...
 *   [check:CODE]             threshold overrides for one check code
 *   [check:CODE:ENTITY]      ... for entities whose id or name matches the glob
 */
#ifndef FOREWARN_CONF_H
#define FOREWARN_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "forewarn/model.h"

struct fw_collector;
struct fw_sink_type;

enum fw_conf_type {
	FW_CONF_STRING,
	FW_CONF_BOOL,		/* yes/no, true/false, on/off, 1/0 */
	FW_CONF_INT,		/* bounded by min/max when min < max */
	FW_CONF_DOUBLE,		/* bounded by min/max when min < max */
	FW_CONF_DURATION,	/* "30s", "5m"; bounds in milliseconds */
	FW_CONF_LIST,		/* space-separated words */
	FW_CONF_ENUM,		/* one of choices */
	FW_CONF_PATH,		/* absolute path */
};

/* One key a section accepts.  Tables end with a { NULL } entry. */
struct fw_conf_key {
	const char		*name;
	enum fw_conf_type	 type;
	const char		*def;		/* default as text; NULL = unset */
	double			 min, max;
	const char *const	*choices;	/* FW_CONF_ENUM, NULL-terminated */
	const char		*help;		/* one line, for docs */
};

struct fw_conf_entry {
	char		*key;
	char		*value;
	const char	*file;		/* owned by struct fw_conf */
	unsigned	 line;
};

struct fw_conf_section {
	char			*name;		/* "snmp:core1" */
	char			*kind;		/* "snmp" */
	char			*instance;	/* "core1", or NULL */
	const char		*file;
	unsigned		 line;
	struct fw_conf_entry	*entries;
	size_t			 n_entries;
	const struct fw_conf_key *schema;	/* set by validation */
};

/* Settings of [agent], resolved. */
struct fw_agent_conf {
	char		*host;			/* hostname in events */
	char		*state_dir;
	unsigned	 history_max;		/* events kept in the store */
	unsigned	 outbox_max;		/* events kept for a lagging sink */
	uint64_t	 renotify_ms[FW_STATE_COUNT];
	unsigned	 flap_changes;
	uint64_t	 flap_window_ms;
	uint64_t	 stuck_ms;		/* a poll longer than this = stuck */
};

struct fw_conf {
	struct fw_agent_conf	 agent;
	struct fw_conf_section	*sections;
	size_t			 n_sections;
	char			**files;	/* every file read, in order */
	size_t			 n_files;
};

/* Error messages, each "file:line: message". */
struct fw_conf_errors {
	char	**msgs;
	size_t	  n;
};

/*
 * A collector or sink type this build left out, and the build switch that
 * did ("WITH_CURL=0"), so a configuration naming it is told why.
 */
struct fw_conf_absent {
	const char	*name;
	const char	*why;
};

/* What validation checks the text against. */
struct fw_conf_schema {
	const struct fw_collector *const	*collectors;
	size_t					 n_collectors;
	const struct fw_sink_type *const	*sinks;
	size_t					 n_sinks;
	/* Left out of this build, each ended by { NULL }; NULL: none. */
	const struct fw_conf_absent		*absent_collectors;
	const struct fw_conf_absent		*absent_sinks;
};

#define FW_CONF_DEFAULT_PATH	"/etc/forewarn/forewarn.conf"

extern const char conf_embedded_default[];

/*
 * Read path plus the *.conf files of the conf.d directory beside it (in
 * name order), or the embedded default when path is NULL and the default
 * file does not exist.  Returns 0 and a validated config, or -EINVAL with
 * every problem in errs (caller frees with conf_errors_clear).
 */
int	conf_load(const char *path, const struct fw_conf_schema *schema,
	    struct fw_conf **ret, struct fw_conf_errors *errs);
/* Parse and validate text as if it were the file called name. */
int	conf_load_string(const char *name, const char *text, size_t len,
	    const struct fw_conf_schema *schema, struct fw_conf **ret,
	    struct fw_conf_errors *errs);
void	conf_free(struct fw_conf *conf);
void	conf_errors_clear(struct fw_conf_errors *errs);

/* Print the normalised config: every section, every key with defaults. */
void	conf_print(const struct fw_conf *conf, const struct fw_conf_schema *schema,
	    FILE *out);

const struct fw_conf_section *conf_section(const struct fw_conf *conf,
		    const char *name);
/* Whether the collector named kind runs: no section, or enabled = yes. */
bool	conf_collector_enabled(const struct fw_conf *conf, const char *name);

/*
 * Typed getters for validated sections: the configured value, else the
 * schema default.  cs may be NULL (no section: defaults only).
 */
const char	*conf_get_str(const struct fw_conf_section *cs,
		    const struct fw_conf_key *schema, const char *key);
bool		 conf_get_bool(const struct fw_conf_section *cs,
		    const struct fw_conf_key *schema, const char *key);
int64_t		 conf_get_int(const struct fw_conf_section *cs,
		    const struct fw_conf_key *schema, const char *key);
double		 conf_get_double(const struct fw_conf_section *cs,
		    const struct fw_conf_key *schema, const char *key);
uint64_t	 conf_get_duration_ms(const struct fw_conf_section *cs,
		    const struct fw_conf_key *schema, const char *key);

/* The raw configured value of key in cs, or NULL (no schema, no default). */
const char	*conf_section_value(const struct fw_conf_section *cs,
		    const char *key);
/* The implied keys of collector and sink sections. */
bool		 conf_section_enabled(const struct fw_conf_section *cs);
uint64_t	 conf_collector_interval_ms(const struct fw_conf_section *cs,
		    const struct fw_collector *c);
const char	*conf_sink_type(const struct fw_conf_section *cs);

/*
 * The parameters of a check for one entity: the definition's defaults,
 * then [agent] renotify/flap settings, then [check:CODE], then the first
 * matching [check:CODE:GLOB] (glob against entity id, then name).
 */
void	conf_check_params(const struct fw_conf *conf,
	    const struct fw_check_def *def, const char *entity_id,
	    const char *entity_name, struct fw_check_params *ret);

#endif
