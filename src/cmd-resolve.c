#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "project.h"
#include "resolve.h"

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
		CLI_LOCK_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_select sel = { .req.lock = NULL };
	int pick = -1, c, rc = CLI_USAGE;
	struct projctx e;
	struct resolve r;
	struct pl_error err;
	size_t kept;

	memset(&r, 0, sizeof(r));
	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1) {
		if (cli_select_option(self, c, optarg, &sel) == 1)
			continue;
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
	if (cli_project_open(self, optind < argc ? argv[optind] : NULL, &sel, &e, &err) < 0 ||
	    (e.proj->several_locks && projctx_lock_exists(&e, &err) < 0) ||
	    resolve_open(e.proj->lock_path, &r, &err) != 0)
		goto fail;
	if (pick < 0 && r.merge.conflicts) {
		list_conflicts(&r.merge);
		rc = CLI_CHECK_FAILED;
		goto out;
	}
	if (pick >= 0)
		lockdiff_merge_pick(&r.merge, (enum lockdiff_side)pick);
	if (resolve_commit(&r, &kept, &err) < 0)
		goto fail;
	cli_warn_missing_deps(&r.merge, e.proj->lock_path);
	printf("resolved %s (%zu packages) and staged it\n", r.rel, kept);
	rc = CLI_OK;
	goto out;
fail:
	cli_print_error(&err);
out:
	resolve_close(&r);
	projctx_close(&e);
	return rc;
}

const struct cli_command cmd_resolve = {
	.name = "resolve",
	.usage = "[--ours|--theirs|--newest|--base] " CLI_LOCK_USAGE " [PROJECT]",
	.summary = "Resolve a lockfile left in merge conflict, package by package.",
	.help = "Reads the three sides from git's index (or the conflict regions 'pylock merge-driver'\n"
		"wrote) and merges them package by package. Without a choice it lists the packages\n"
		"changed differently on both sides and exits 1. With one, it applies the choice to\n"
		"every conflict (--newest: the higher version; ours for top-level keys), writes the\n"
		"lock atomically, stages it so 'git commit' can proceed, and warns about dependencies\n"
		"the result no longer holds. A lock that is not conflicted is refused (exit 2).",
	.run = run,
};
