/*
 * The kernel log's per-record cost, for bench/kmsg.py: read /dev/kmsg-format
 * records (one per line) from a file, parse and classify each with the full
 * table, print how many matched.  --patterns prints the table's regular
 * expressions, one per line, for grep -E -f (the floor to compare with).
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../collectors/kmsg_parse.h"

int
main(int argc, char **argv)
{
	struct kmsg_classifier *k;
	struct kmsg_record r;
	struct kmsg_match m;
	unsigned long long n = 0, hits = 0;
	char *line = NULL;
	size_t cap = 0, i;
	ssize_t len;
	FILE *f;

	if (argc == 2 && strcmp(argv[1], "--patterns") == 0) {
		for (i = 0; kmsg_rules[i].needle != NULL; i++)
			printf("%s\n", kmsg_rules[i].regex);
		return 0;
	}
	if (argc != 2)
		errx(2, "usage: kmsg-classify FILE | --patterns");
	if ((f = fopen(argv[1], "r")) == NULL)
		err(2, "%s", argv[1]);
	if ((k = kmsg_classifier_new()) == NULL)
		errx(2, "the classifier table does not compile");
	while ((len = getline(&line, &cap, f)) > 0) {
		n++;
		if (kmsg_record_parse(line, (size_t)len, &r) == 0 &&
		    r.facility == 0 && kmsg_classify(k, r.text, &m))
			hits++;
	}
	free(line);
	fclose(f);
	kmsg_classifier_free(k);
	printf("%llu %llu\n", n, hits);
	return 0;
}
