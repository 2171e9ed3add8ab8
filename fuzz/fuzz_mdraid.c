/* libFuzzer target: md sysfs value decoding and mdadm.conf on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../collectors/mdraid_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct md_conf_array a[8];
	char s[256], err[128], u[33];
	uint64_t d, t;

	/* mdadm.conf arrives as a whole file. */
	if (md_conf_parse((const char *)data, size, a, 8, err,
	    sizeof(err)) > 0)
		md_uuid_same(a[0].uuid, "5f1262d6b6ce8866598d8591fd3caa47");

	/* sysfs values arrive as short NUL-terminated text. */
	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	md_sync_completed_parse(s, &d, &t);
	md_member_flags(s);
	md_redundancy_left(s, (int)size - 8, (int)(size % 5));
	if (md_uuid_norm(s, u) == 0)
		md_uuid_same(u, "5f1262d6b6ce8866598d8591fd3caa47");
	return 0;
}
