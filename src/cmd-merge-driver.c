#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "lockdiff.h"

/* An empty base file means the two sides have no common ancestor. The
 * lock keeps its file's text (in text) for the layout-keeping writer. */
static int read_side(const char *path, bool may_be_empty, struct lock **lock, struct util_buf *text,
		     struct pl_error *err)
{
	char *data;
	size_t len;

	*lock = NULL;
	if (util_read_file(path, LOCK_MAX_SIZE, &data, &len, err) < 0)
		return -1;
	*text = (struct util_buf){ data, len, len + 1 };	/* NUL-terminated: the buffer's invariant */
	if (may_be_empty && len == 0)
		return 0;
	if (!(*lock = lock_parse(util_buf_str(text), text->len, path, err)))
		return -1;
	lock_keep_text(*lock, util_buf_str(text), text->len);
	return 0;
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	struct lock *side[3] = { NULL, NULL, NULL };
	struct util_buf text[3] = { UTIL_BUF_INIT, UTIL_BUF_INIT, UTIL_BUF_INIT };
	struct lockdiff_merge m;
	struct util_buf out = UTIL_BUF_INIT;
	struct pl_error err;
	int rc = CLI_USAGE;

	if (argc != 5)
		return cli_usage_error(self, "takes the four paths git passes: %%O %%A %%B %%P");
	const char *path[3] = { argv[1], argv[2], argv[3] }, *name = argv[4];
	pl_error_clear(&err);
	for (int s = 0; s < 3; s++)
		if (read_side(path[s], s == LOCKDIFF_BASE, &side[s], &text[s], &err) < 0) {
			/* Leave %A as it is: git marks the file conflicted. */
			cli_print_error(&err);
			fprintf(stderr, "pylock: %s: left for a textual merge\n", name);
			goto out;
		}
	lockdiff_merge3(side[0], side[1], side[2], &m);
	lockdiff_merge_write(&m, &out);
	if (util_write_atomic(path[LOCKDIFF_OURS], util_buf_str(&out), out.len, 0644, &err) < 0) {
		cli_print_error(&err);
		lockdiff_merge_fini(&m);
		goto out;
	}
	cli_warn_broken_deps(&m, name);
	if (m.conflicts)
		fprintf(stderr, "pylock: %s: %zu conflict%s left; see 'pylock resolve'\n", name,
			m.conflicts, m.conflicts == 1 ? "" : "s");
	rc = m.conflicts ? CLI_CHECK_FAILED : CLI_OK;
	lockdiff_merge_fini(&m);
out:
	util_buf_free(&out);
	for (int s = 0; s < 3; s++) {
		lock_free(side[s]);
		util_buf_free(&text[s]);
	}
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
		"result is written to %A in ours' own layout (what ours already says stays byte for\n"
		"byte: comments, order, another tool's style; what comes from theirs is theirs' own\n"
		"bytes) and the exit status is 0. Packages, top-level keys and [tool.NAME] tables\n"
		"changed differently on both sides are written as conflict regions where they stand\n"
		"(ours, ||||||| base, ======= theirs) and the exit status is 1, which git reports as a\n"
		"conflict; 'pylock resolve' reads them back. A dependency the result no longer\n"
		"satisfies is reported (\"alpha 2.0 needs beta 2.0; the lock has beta 1.5\").",
	.run = run,
};
