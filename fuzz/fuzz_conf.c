/* libFuzzer target: the configuration parser and validator on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "forewarn/conf.h"
#include "forewarn/registry.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_conf_errors errs = { NULL, 0 };
	struct fw_check_params p;
	struct fw_conf *conf = NULL;

	if (conf_load_string("fuzz.conf", (const char *)data, size,
	    registry_schema(), &conf, &errs) == 0) {
		/* A config that validates must also resolve and print. */
		conf_check_params(conf, registry_check("host.memory"), "id",
		    "name", &p);
		conf_free(conf);
	}
	conf_errors_clear(&errs);
	return 0;
}
