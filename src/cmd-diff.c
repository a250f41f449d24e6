#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gitrepo.h"
#include "lockdiff.h"
#include "project.h"

/* The lock at rev (NULL: the working tree); *lock stays NULL when the file
 * does not exist there. rev may be REV:path (path from the work tree's top). */
static const char *colour_of(const struct lockdiff_change *c)
{
	if (lockdiff_suspicious(c))
		return "\033[1;31m";
	switch (c->kind) {
	case LOCKDIFF_ADDED: return "\033[32m";
	case LOCKDIFF_REMOVED: return "\033[31m";
	case LOCKDIFF_UPGRADED:
	case LOCKDIFF_DOWNGRADED: return "\033[36m";
	default: return "\033[33m";
	}
}

void cli_print_lockdiff(const struct lockdiff *d)
{
	bool colour = isatty(1) && !getenv("NO_COLOR");
	size_t suspicious = 0, new_hosts = 0;

	for (size_t i = 0; i < d->n; i++) {
		const struct lockdiff_change *c = &d->changes[i];
		const char *flags[LOCKDIFF_FLAGS];
		size_t nf = lockdiff_flag_names(c->flags, flags);

		if (colour)
			cli_raw(stdout, colour_of(c));
		printf("%-10s", lockdiff_kind_name(c->kind));
		if (colour)
			cli_raw(stdout, "\033[0m");
		printf(" %s", c->name);
		if (c->kind == LOCKDIFF_ADDED)
			printf(" %s", c->new ? c->new : "");
		else if (c->kind == LOCKDIFF_REMOVED)
			printf(" %s", c->old ? c->old : "");
		else if (c->kind == LOCKDIFF_CHANGED)
			printf(" %s", c->new ? c->new : "");
		else
			printf(": %s -> %s", c->old ? c->old : "(none)", c->new ? c->new : "(none)");
		if (c->flags & LOCKDIFF_HASH_CHANGED) {
			suspicious++;
			printf(" ");
			if (colour)
				cli_raw(stdout, "\033[1;31m");
			printf("(suspicious: same version, different file: %s)", c->detail);
			if (colour)
				cli_raw(stdout, "\033[0m");
		}
		new_hosts += (c->flags & LOCKDIFF_HOST_CHANGED) != 0;
		/* The other flags in brackets: "[files-added, marker-changed]". */
		const char *sep = " [";
		for (size_t k = 0; k < nf; k++)
			if (strcmp(flags[k], "hash-changed")) {
				printf("%s%s", sep, flags[k]);
				sep = ", ";
			}
		printf("%s", strcmp(sep, ", ") ? "" : "]");
		if (c->detail && !(c->flags & LOCKDIFF_HASH_CHANGED))
			printf(" (%s)", c->detail);
		printf("\n");
	}
	printf("%zu change%s%s%s\n", d->n, d->n == 1 ? "" : "s",
	       suspicious ? ", SUSPICIOUS: a file changed under the same version" : "",
	       new_hosts ? ", SUSPICIOUS: a URL on a host the lock did not name before" : "");
}

static void print_json(const struct lockdiff *d)
{
	json_t *list = json_array();

	for (size_t i = 0; i < d->n; i++) {
		const struct lockdiff_change *c = &d->changes[i];
		const char *names[LOCKDIFF_FLAGS];
		size_t nf = lockdiff_flag_names(c->flags, names);
		json_t *flags = json_array();

		for (size_t k = 0; k < nf; k++)
			json_array_append_new(flags, json_string(names[k]));
		if (lockdiff_suspicious(c))
			json_array_append_new(flags, json_string("suspicious"));
		json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}",
			"name", c->name, "kind", lockdiff_kind_name(c->kind),
			"old", cli_json_str(c->old), "new", cli_json_str(c->new), "flags", flags,
			"file", cli_json_str(c->detail)));
	}
	cli_print_json(json_pack("{s:o}", "changes", list));
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "exit-code", no_argument, NULL, 'e' },
		CLI_LOCK_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_select sel = { .req.lock = NULL };
	bool json = false, exit_code = false;
	const char *project = NULL, *range = NULL;
	char *old_rev = NULL, *new_rev = NULL;
	struct projctx e;
	struct gitrepo *repo = NULL;
	struct lock *old = NULL, *new = NULL;
	struct lockdiff d = { NULL, 0 };
	struct pl_error err;
	int c, rc = CLI_USAGE;

	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'e')
			exit_code = true;
		else if (cli_select_option(self, c, optarg, &sel) != 1)
			return CLI_USAGE;
	}
	if (argc - optind > 2)
		return cli_usage_error(self, "takes a PROJECT and a revision at most");
	/* One argument: a revision when it is not a project. */
	if (argc - optind == 2) {
		project = argv[optind];
		range = argv[optind + 1];
	} else if (argc - optind == 1) {
		if (access(argv[optind], F_OK) == 0)
			project = argv[optind];
		else
			range = argv[optind];
	}
	pl_error_clear(&err);
	if (cli_project_open(self, project, &sel, &e, &err) < 0 || (e.proj->several_locks && projctx_lock_exists(&e, &err) < 0) ||
	    gitrepo_open_containing(e.proj->root, &repo, &err) < 0)
		goto fail;
	const struct project *proj = e.proj;
	const char *wd = gitrepo_workdir(repo);
	const char *rel = proj->lock_path + strlen(wd) + (strlen(proj->lock_path) > strlen(wd));
	if (strncmp(proj->lock_path, wd, strlen(wd))) {
		pl_error_set(&err, proj->lock_path, 0, 0, "not inside the work tree %s", wd);
		goto fail;
	}
	lockdiff_range(range, &old_rev, &new_rev);
	if (lockdiff_lock_at(repo, old_rev, rel, proj->lock_path, &old, &err) < 0 ||
	    lockdiff_lock_at(repo, new_rev, rel, proj->lock_path, &new, &err) < 0)
		goto fail;
	lockdiff_diff(old, new, &d);
	if (json)
		print_json(&d);
	else
		cli_print_lockdiff(&d);
	rc = exit_code && d.n ? CLI_CHECK_FAILED : CLI_OK;
	goto out;
fail:
	cli_print_error(&err);
out:
	lockdiff_fini(&d);
	lock_free(old);
	lock_free(new);
	gitrepo_free(repo);
	projctx_close(&e);
	free(old_rev);
	free(new_rev);
	return rc;
}

const struct cli_command cmd_diff = {
	.name = "diff",
	.usage = "[--json] [--exit-code] " CLI_LOCK_USAGE " [PROJECT] [REV | REV..REV]",
	.summary = "Show what changed in the lockfile, package by package.",
	.help = "Without a revision: the working tree's lockfile against HEAD; with REV: against REV;\n"
		"with A..B: B against A (a branch, tag, sha, or REV:path). One line per change: added,\n"
		"removed, upgraded, downgraded, or changed at the same version with what changed\n"
		"(files, source, marker, dependencies, attestation identities, requires-python); a\n"
		"file whose hash changed under the same version is flagged suspicious. Top-level keys\n"
		"are compared too. --json prints {\"changes\": [{\"name\", \"kind\", \"old\", \"new\",\n"
		"\"flags\", \"file\"}]}; --exit-code exits 1 when there are differences, like git.",
	.run = run,
};
