/* libFuzzer target: md sysfs value decoding on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../collectors/mdraid_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256];
	uint64_t d, t;

	/* sysfs values arrive as short NUL-terminated text. */
	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	md_sync_completed_parse(s, &d, &t);
	md_member_flags(s);
	md_redundancy_left(s, (int)size - 8, (int)(size % 5));
	return 0;
}
