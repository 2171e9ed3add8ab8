/* libFuzzer target: /dev/kmsg records through the classifier, mountinfo lines and btrfs error_stats on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../collectors/kmsg_fs.h"
#include "../collectors/kmsg_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kmsg_classifier *cls;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmsg_record r;
	struct kmsg_match m;
	struct mountinfo mi;
	struct btrfs_errors b;
	char *line;

	if (cls == NULL && (cls = kmsg_classifier_new()) == NULL)
		abort();
	/* A record is what one read(2) of /dev/kmsg returns: not a string. */
	if (kmsg_record_parse((const char *)data, size, &r) == 0 &&
	    kmsg_classify(cls, r.text, &m) && strlen(m.part) >= sizeof(m.part))
		abort();
	/* The kernel's text alone, as a string, straight to the table. */
	line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';
	kmsg_classify(cls, line, &m);
	if (mountinfo_parse(line, &mi) == 0) {
		if (mi.mountpoint[sizeof(mi.mountpoint) - 1] != '\0')
			abort();
		mountinfo_forced_ro(&mi);
	}
	free(line);
	if (btrfs_errors_parse((const char *)data, size, &b) == 0)
		btrfs_errors_total(&b);
	return 0;
}
