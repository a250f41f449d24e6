#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "lockdiff.h"

/* An empty base file means the two sides have no common ancestor. text
 * (may be NULL) keeps the file's bytes. */
static int read_side(const char *path, bool may_be_empty, struct lock **lock, struct util_buf *text,
		     struct pl_error *err)
{
	char *data;
	size_t len;

	*lock = NULL;
	if (util_read_file(path, LOCK_MAX_SIZE, &data, &len, err) < 0)
		return -1;
	if (!(may_be_empty && len == 0))
		*lock = lock_parse(data, len, path, err);
	if (text)
		util_buf_add(text, data, len);
	free(data);
	return (may_be_empty && len == 0) || *lock ? 0 : -1;
}

/* A merge without conflicts written over ours in its own layout: what
 * ours already says stays byte for byte, so `git diff` shows theirs'
 * changes only. */
static void keep_layout(const struct util_buf *ours_text, const struct lock *ours, struct util_buf *out)
{
	struct pl_error err;
	struct lock *merged = lock_parse(out->data ? out->data : "", out->len, "merged", &err);
	struct util_buf kept = UTIL_BUF_INIT;

	if (merged) {
		lock_write_update(ours_text->data ? ours_text->data : "", ours_text->len, ours, merged, &kept);
		if (lock_reads_as(kept.data, kept.len, merged)) {
			util_buf_truncate(out, 0);
			util_buf_add(out, kept.data, kept.len);
		}
		lock_free(merged);
	}
	util_buf_free(&kept);
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	struct lock *base = NULL, *ours = NULL, *theirs = NULL;
	struct lockdiff_merge m;
	struct util_buf out = UTIL_BUF_INIT, ours_text = UTIL_BUF_INIT;
	struct pl_error err;
	int rc = CLI_USAGE;

	if (argc != 5)
		return cli_usage_error(self, "takes the four paths git passes: %%O %%A %%B %%P");
	const char *o = argv[1], *a = argv[2], *b = argv[3], *name = argv[4];
	pl_error_clear(&err);
	if (read_side(o, true, &base, NULL, &err) < 0 || read_side(a, false, &ours, &ours_text, &err) < 0 ||
	    read_side(b, false, &theirs, NULL, &err) < 0) {
		/* Leave %A as it is: git marks the file conflicted. */
		cli_print_error(&err);
		fprintf(stderr, "pylock: %s: left for a textual merge\n", name);
		goto out;
	}
	lockdiff_merge3(base, ours, theirs, &m);
	lockdiff_merge_write(&m, &out);
	if (!m.conflicts)
		keep_layout(&ours_text, ours, &out);
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
	util_buf_free(&ours_text);
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
		"result is written to %A in ours' own layout (what ours already says stays byte for\n"
		"byte: comments, order, another tool's style) and the exit status is 0. Packages changed differently on both\n"
		"sides are written as conflict regions (ours, ||||||| base, ======= theirs) and the exit\n"
		"status is 1, which git reports as a conflict; 'pylock resolve' reads them back.",
	.run = run,
};
