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
			printf(m->top[i].tool ? "conflict  [tool.%s] (changed on both sides)\n"
			       : "conflict  %s (top-level key)\n", m->top[i].key);
	for (size_t i = 0; i < m->n; i++) {
		const struct lockdiff_item *it = &m->items[i];
		const struct lock_package *o = it->side[LOCKDIFF_OURS], *t = it->side[LOCKDIFF_THEIRS];

		if (!it->conflict)
			continue;
		printf("conflict  %s: ours %s, theirs %s, base %s", it->key, ver(o), ver(t), ver(it->side[LOCKDIFF_BASE]));
		/* The same version on both sides: say what else differs. */
		if (o && t && util_str_equal(o->version, t->version)) {
			struct util_buf why = UTIL_BUF_INIT;
			lockdiff_package_differs(o, t, &why);
			printf(" (theirs differs in: %s)", util_buf_str(&why));
			util_buf_free(&why);
		}
		putchar('\n');
	}
	printf("%zu conflict%s; choose with --ours, --theirs, --newest or --base\n", m->conflicts,
	       m->conflicts == 1 ? "" : "s");
}

/* What the merge still needs, or the merge concluded (--continue). */
static int next_step(const struct resolve *r, bool go_on)
{
	struct resolve_next next;
	struct pl_error err;
	struct util_buf out = UTIL_BUF_INIT;

	pl_error_clear(&err);
	if (resolve_next(r, &next, &err) < 0) {
		cli_print_error(&err);
		return CLI_USAGE;
	}
	if (next.nunmerged) {
		printf("%zu other path%s still in conflict:", next.nunmerged, next.nunmerged == 1 ? "" : "s");
		for (size_t i = 0; i < next.nunmerged && i < 10; i++)
			printf(" %s", next.unmerged[i]);
		printf("%s\n", next.nunmerged > 10 ? " ..." : "");
	} else if (next.operation && !strcmp(next.operation, "merge") && !go_on)
		printf("nothing is left in conflict: conclude the merge with 'git commit' (or 'pylock resolve "
		       "--continue')\n");
	else if (next.operation && strcmp(next.operation, "merge"))
		printf("nothing is left in conflict: continue with 'git %s --continue'\n", next.operation);
	bool commit = go_on && !next.nunmerged && next.operation && !strcmp(next.operation, "merge");
	resolve_next_fini(&next);
	if (!go_on)
		return CLI_OK;
	if (!commit) {
		fprintf(stderr, "pylock: the merge cannot be concluded yet%s\n", next.operation ? "" : ": no merge is under way");
		return CLI_CHECK_FAILED;
	}
	int rc = resolve_continue(r, &out, &err);
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	util_buf_free(&out);
	if (rc < 0) {
		cli_print_error(&err);
		return CLI_USAGE;
	}
	if (rc) {
		fprintf(stderr, "pylock: git commit failed (exit %d); the lock stays staged\n", rc);
		return CLI_CHECK_FAILED;
	}
	printf("merge concluded\n");
	return CLI_OK;
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ours", no_argument, NULL, 'o' },
		{ "theirs", no_argument, NULL, 't' },
		{ "newest", no_argument, NULL, 'n' },
		{ "base", no_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ "continue", no_argument, NULL, 'c' },
		CLI_LOCK_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_select sel = { .req.lock = NULL };
	int pick = -1, c, rc = CLI_USAGE;
	bool force = false, go_on = false;
	struct projctx e;
	struct resolve r;
	struct pl_error err;
	size_t kept;

	memset(&r, 0, sizeof(r));
	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1) {
		if (cli_select_option(self, c, optarg, &sel) == 1)
			continue;
		if (c == 'f' || c == 'c') {
			*(c == 'f' ? &force : &go_on) = true;
			continue;
		}
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
	/* A result whose dependencies do not hold is no resolution. */
	if (cli_warn_broken_deps(&r.merge, e.proj->lock_path) && !force) {
		fprintf(stderr, "pylock: %s: nothing written; choose otherwise, relock, or write it anyway with "
			"--force\n", r.rel);
		rc = CLI_CHECK_FAILED;
		goto out;
	}
	if (resolve_commit(&r, &kept, &err) < 0)
		goto fail;
	printf("resolved %s (%zu packages) and staged it\n", r.rel, kept);
	rc = next_step(&r, go_on);
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
	.usage = "[--ours|--theirs|--newest|--base] [--force] [--continue] " CLI_LOCK_USAGE " [PROJECT]",
	.summary = "Resolve a lockfile left in merge conflict, package by package.",
	.help = "Reads the three sides from git's index (or the conflict regions 'pylock merge-driver'\n"
		"wrote) and merges them package by package. Without a choice it lists the packages\n"
		"changed differently on both sides and exits 1. With one, it applies the choice to\n"
		"every conflict (--newest: the higher version; ours for top-level keys and [tool]\n"
		"tables), writes the lock atomically in ours' layout (what no conflict touched stays\n"
		"byte for byte) and stages it. A same-version conflict says what differs (files,\n"
		"hashes, source, marker). When the result breaks a dependency (\"alpha 2.0 needs beta\n"
		"2.0; the lock has beta 1.5\") nothing is written and the exit status is 1, unless\n"
		"--force. Then it says what the merge still needs: other paths in conflict, or\n"
		"'git commit'; --continue concludes the merge (git commit --no-edit) when nothing is\n"
		"left in conflict. A lock that is not conflicted is refused (exit 2).",
	.run = run,
};
