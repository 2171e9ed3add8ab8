/* libFuzzer target: storcli/perccli JSON (controller summary, then drive details over the same report). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../collectors/hwraid_storcli.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hw_report *rep;
	char err[256];
	size_t i, j;

	if (rep == NULL && (rep = calloc(1, sizeof(*rep))) == NULL)
		return 0;
	storcli_parse_show((const char *)data, size, rep, err, sizeof(err));
	storcli_parse_drives((const char *)data, size, rep, err, sizeof(err));
	for (i = 0; i < rep->n_ctrls; i++)
		for (j = 0; j < rep->ctrls[i].n_vds; j++)
			storcli_vd_redundancy(rep->ctrls[i].vds[j].type,
			    rep->ctrls[i].vds[j].state);
	return 0;
}
