/* Helpers shared by the unit tests: temp dirs, files, the random seed. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static char	**dirs;
static size_t	  n_dirs;

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

void
test_rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
cleanup(void)
{
	size_t i;

	for (i = 0; i < n_dirs; i++) {
		if (getenv("FW_TEST_KEEP") == NULL)
			test_rm_rf(dirs[i]);
		free(dirs[i]);
	}
	free(dirs);
}

const char *
test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	char **nd;

	snprintf(tmpl, sizeof(tmpl), "%s/fwtest.XXXXXX",
	    base != NULL ? base : "/tmp");
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		abort();
	}
	if (n_dirs == 0)
		atexit(cleanup);
	nd = realloc(dirs, (n_dirs + 1) * sizeof(*dirs));
	if (nd == NULL)
		abort();
	dirs = nd;
	dirs[n_dirs] = strdup(tmpl);
	if (dirs[n_dirs] == NULL)
		abort();
	return dirs[n_dirs++];
}

static void
mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			perror(path);
			abort();
		}
		*p = '/';
	}
}

void
test_write_file(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	mkdirs(path);
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		abort();
	}
	fputs(text, f);
	fclose(f);
}

uint32_t
test_seed(void)
{
	static int done;
	static uint32_t seed;
	const char *env;

	if (done)
		return seed;
	env = getenv("FW_TEST_SEED");
	if (env != NULL)
		seed = (uint32_t)strtoul(env, NULL, 0);
	else
		seed = (uint32_t)time(NULL) ^ (uint32_t)getpid();
	fprintf(stderr, "seed: FW_TEST_SEED=%u\n", seed);
	done = 1;
	return seed;
}
