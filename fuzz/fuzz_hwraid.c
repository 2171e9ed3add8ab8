/* libFuzzer target: the RAID tools' outputs — storcli JSON, arcconf and ssacli text — over one report. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../collectors/hwraid_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hw_report *rep;
	char err[256];
	size_t i, j;

	int found;

	if (rep == NULL && (rep = calloc(1, sizeof(*rep))) == NULL)
		return 0;
	rep->n_ctrls = 0;
	storcli_parse_show((const char *)data, size, rep, err, sizeof(err));
	storcli_parse_drives((const char *)data, size, rep, err, sizeof(err));
	/* The text tools' outputs, appended to the same report. */
	if (rep->n_ctrls < HW_CTRL_MAX)
		arcconf_parse_config((const char *)data, size, 1, rep, &found,
		    err, sizeof(err));
	ssacli_parse_config((const char *)data, size, rep, err, sizeof(err));
	ssacli_parse_status((const char *)data, size, rep, err, sizeof(err));
	if (rep->n_ctrls > 0) {
		ssacli_parse_ld((const char *)data, size, &rep->ctrls[0], err,
		    sizeof(err));
		ssacli_parse_pd((const char *)data, size, &rep->ctrls[0], err,
		    sizeof(err));
	}
	for (i = 0; i < rep->n_ctrls; i++)
		for (j = 0; j < rep->ctrls[i].n_vds; j++)
			storcli_vd_redundancy(rep->ctrls[i].vds[j].type,
			    rep->ctrls[i].vds[j].state);
	return 0;
}
