/* Helpers shared by the unit tests: temp dirs, files, the random seed. */
#ifndef FOREWARN_TESTUTIL_H
#define FOREWARN_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* A fresh directory under $TMPDIR, removed (recursively) at exit. */
const char	*test_tmpdir(void);
/* Write text to dir/rel, creating parent directories; aborts on failure. */
void		 test_write_file(const char *dir, const char *rel, const char *text);
/* Remove a tree (best effort). */
void		 test_rm_rf(const char *path);
/*
 * The seed for randomised tests: $FW_TEST_SEED if set, else from the time;
 * printed once so a failing run can be repeated.
 */
uint32_t	 test_seed(void);

#endif
