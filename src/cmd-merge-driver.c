#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "lockdiff.h"

/* An empty base file means the two sides have no common ancestor. */
static int read_side(const char *path, bool may_be_empty, struct lock **lock, struct pl_error *err)
{
	char *data;
	size_t len;

	*lock = NULL;
	if (util_read_file(path, LOCK_MAX_SIZE, &data, &len, err) < 0)
		return -1;
	if (!(may_be_empty && len == 0))
		*lock = lock_parse(data, len, path, err);
	free(data);
	return (may_be_empty && len == 0) || *lock ? 0 : -1;
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	struct lock *base = NULL, *ours = NULL, *theirs = NULL;
	struct lockdiff_merge m;
	struct util_buf out = UTIL_BUF_INIT;
	struct pl_error err;
	int rc = CLI_USAGE;

	if (argc != 5)
		return cli_usage_error(self, "takes the four paths git passes: %%O %%A %%B %%P");
	const char *o = argv[1], *a = argv[2], *b = argv[3], *name = argv[4];
	pl_error_clear(&err);
	if (read_side(o, true, &base, &err) < 0 || read_side(a, false, &ours, &err) < 0 ||
	    read_side(b, false, &theirs, &err) < 0) {
		/* Leave %A as it is: git marks the file conflicted. */
		cli_print_error(&err);
		fprintf(stderr, "pylock: %s: left for a textual merge\n", name);
		goto out;
	}
	lockdiff_merge3(base, ours, theirs, &m);
	lockdiff_merge_write(&m, &out);
	if (util_write_atomic(a, util_buf_str(&out), out.len, 0644, &err) < 0) {
		cli_print_error(&err);
		lockdiff_merge_fini(&m);
		goto out;
	}
	cli_warn_missing_deps(&m, name);
	if (m.conflicts)
		fprintf(stderr, "pylock: %s: %zu conflict%s left; see 'pylock resolve'\n", name,
			m.conflicts, m.conflicts == 1 ? "" : "s");
	rc = m.conflicts ? CLI_CHECK_FAILED : CLI_OK;
	lockdiff_merge_fini(&m);
out:
	util_buf_free(&out);
	lock_free(base);
	lock_free(ours);
	lock_free(theirs);
	return rc;
}

const struct cli_command cmd_merge_driver = {
	.name = "merge-driver",
	.usage = "%O %A %B %P",
	.summary = "Merge pylock.toml package by package (a git merge driver).",
	.help = "Set it up once per repository:\n"
		"  git config merge.pylock.name 'pylock lockfile merge'\n"
		"  git config merge.pylock.driver 'pylock merge-driver %O %A %B %P'\n"
		"  echo 'pylock*.toml merge=pylock' >> .gitattributes\n"
		"A package changed on one side only, or the same way on both, merges by itself; the\n"
		"result is written to %A and the exit status is 0. Packages changed differently on both\n"
		"sides are written as conflict regions (ours, ||||||| base, ======= theirs) and the exit\n"
		"status is 1, which git reports as a conflict; 'pylock resolve' reads them back.",
	.run = run,
};
