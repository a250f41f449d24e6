#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gitrepo.h"
#include "lockdiff.h"
#include "project.h"

struct sides {
	struct lock *lock[3];
	bool from_index;
};

static void sides_free(struct sides *s)
{
	for (int i = 0; i < 3; i++)
		lock_free(s->lock[i]);
}

/* A side with no text (no common ancestor, or a side that deleted the lock)
 * stays NULL: the merge reads it as a lock without packages. */
static int parse_sides(struct util_buf text[3], const char *rel, struct sides *s, struct pl_error *err)
{
	static const char *const names[] = { "base", "ours", "theirs" };

	for (int i = 0; i < 3; i++) {
		char label[4200];

		if (!text[i].len)
			continue;
		snprintf(label, sizeof(label), "%s:%s", names[i], rel);
		if (!(s->lock[i] = lock_parse(util_buf_str(&text[i]), text[i].len, label, err)))
			return -1;
	}
	return 0;
}

/* The three sides: from the index's conflict stages, else from conflict
 * regions pylock's merge driver left in the file. Returns 1 when the lock
 * is not conflicted. */
static int load_sides(const struct gitrepo *repo, const char *rel, const char *abs, struct sides *s,
		      struct pl_error *err)
{
	struct util_buf text[3] = { UTIL_BUF_INIT, UTIL_BUF_INIT, UTIL_BUF_INIT };
	char *data[3], *file;
	size_t len[3], flen;
	int rc = gitrepo_conflict(repo, rel, LOCK_MAX_SIZE, data, len, err);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		s->from_index = true;
		for (int i = 0; i < 3; i++) {
			if (data[i])
				util_buf_add(&text[i], data[i], len[i]);
			free(data[i]);
		}
	} else {
		if (util_read_file(abs, LOCK_MAX_SIZE, &file, &flen, err) < 0)
			return -1;
		bool regions = lockdiff_split_conflicts(file, flen, text);
		free(file);
		if (!regions) {
			for (int i = 0; i < 3; i++)
				util_buf_free(&text[i]);
			pl_error_set(err, abs, 0, 0, "not conflicted: nothing to resolve");
			return 1;
		}
	}
	rc = parse_sides(text, rel, s, err);
	for (int i = 0; i < 3; i++)
		util_buf_free(&text[i]);
	return rc;
}

static const char *ver(const struct lock_package *p)
{
	return !p ? "(removed)" : p->version ? p->version : "(no version)";
}

static void list_conflicts(const struct lockdiff_merge *m)
{
	for (size_t i = 0; i < m->ntop; i++)
		if (m->top[i].conflict)
			printf("conflict  %s (top-level key)\n", m->top[i].key);
	for (size_t i = 0; i < m->n; i++) {
		const struct lockdiff_item *it = &m->items[i];

		if (it->conflict)
			printf("conflict  %s: ours %s, theirs %s, base %s\n", it->key, ver(it->side[LOCKDIFF_OURS]),
			       ver(it->side[LOCKDIFF_THEIRS]), ver(it->side[LOCKDIFF_BASE]));
	}
	printf("%zu conflict%s; choose with --ours, --theirs, --newest or --base\n", m->conflicts,
	       m->conflicts == 1 ? "" : "s");
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ours", no_argument, NULL, 'o' },
		{ "theirs", no_argument, NULL, 't' },
		{ "newest", no_argument, NULL, 'n' },
		{ "base", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	int pick = -1, c, rc = CLI_USAGE;
	char *root = NULL;
	struct project *proj = NULL;
	struct gitrepo *repo = NULL;
	struct sides sides = { { NULL, NULL, NULL }, false };
	struct lockdiff_merge m = { .n = 0 };
	struct util_buf out = UTIL_BUF_INIT;
	struct pl_error err;
	bool merged = false;

	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1) {
		int side = c == 'o' ? LOCKDIFF_OURS : c == 't' ? LOCKDIFF_THEIRS : c == 'n' ? LOCKDIFF_NEWEST
			 : c == 'b' ? LOCKDIFF_BASE : -2;
		if (side == -2)
			return CLI_USAGE;
		if (pick >= 0 && pick != side)
			return cli_usage_error(self, "choose one of --ours, --theirs, --newest, --base");
		pick = side;
	}
	if (argc - optind > 1)
		return cli_usage_error(self, "takes at most one PROJECT");
	pl_error_clear(&err);
	if (!(root = cli_project_dir(optind < argc ? argv[optind] : NULL, &err)) ||
	    !(proj = project_load(root, &err)) || gitrepo_open_containing(proj->root, &repo, &err) < 0)
		goto fail;
	const char *wd = gitrepo_workdir(repo), *rel = proj->lock_path + strlen(wd) + 1;
	int loaded = load_sides(repo, rel, proj->lock_path, &sides, &err);
	if (loaded != 0)
		goto fail;
	lockdiff_merge3(sides.lock[0], sides.lock[1], sides.lock[2], &m);
	merged = true;
	if (pick < 0 && m.conflicts) {
		list_conflicts(&m);
		rc = CLI_CHECK_FAILED;
		goto out;
	}
	if (pick >= 0)
		lockdiff_merge_pick(&m, (enum lockdiff_side)pick);
	lockdiff_merge_write(&m, &out);
	if (util_write_atomic(proj->lock_path, util_buf_str(&out), out.len, 0644, &err) < 0 ||
	    gitrepo_stage(repo, rel, &err) < 0)
		goto fail;
	cli_warn_missing_deps(&m, proj->lock_path);
	size_t kept = 0;
	for (size_t i = 0; i < m.n; i++)
		kept += m.items[i].chosen != NULL;
	printf("resolved %s (%zu packages) and staged it\n", rel, kept);
	rc = CLI_OK;
	goto out;
fail:
	cli_print_error(&err);
out:
	if (merged)
		lockdiff_merge_fini(&m);
	util_buf_free(&out);
	sides_free(&sides);
	gitrepo_free(repo);
	project_free(proj);
	free(root);
	return rc;
}

const struct cli_command cmd_resolve = {
	.name = "resolve",
	.usage = "[--ours|--theirs|--newest|--base] [PROJECT]",
	.summary = "Resolve a lockfile left in merge conflict, package by package.",
	.help = "Reads the three sides from git's index (or the conflict regions 'pylock merge-driver'\n"
		"wrote) and merges them package by package. Without a choice it lists the packages\n"
		"changed differently on both sides and exits 1. With one, it applies the choice to\n"
		"every conflict (--newest: the higher version; ours for top-level keys), writes the\n"
		"lock atomically, stages it so 'git commit' can proceed, and warns about dependencies\n"
		"the result no longer holds. A lock that is not conflicted is refused (exit 2).",
	.run = run,
};
