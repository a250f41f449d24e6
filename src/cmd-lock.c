#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lockdiff.h"
#include "relock.h"

int cli_relock_option(const struct cli_command *cmd, int c, const char *arg, struct cli_relock *r)
{
	switch (c) {
	case CLI_OPT_INDEX:
		if (r->nindexes == sizeof(r->indexes) / sizeof(*r->indexes))
			return cli_usage_error(cmd, "takes at most %zu --index", r->nindexes), -1;
		if (strncmp(arg, "https://", 8) && strncmp(arg, "file://", 7))
			return cli_usage_error(cmd, "--index %.200s: only https:// and file:// indexes are read", arg), -1;
		r->indexes[r->nindexes++] = (char *)arg;
		return 1;
	case CLI_OPT_ENV:
		if (r->nenvs == sizeof(r->envs) / sizeof(*r->envs))
			return cli_usage_error(cmd, "takes at most %zu --env", r->nenvs), -1;
		r->envs[r->nenvs++] = (char *)arg;
		return 1;
	case CLI_OPT_PRERELEASE:
		r->prerelease = true;
		return 1;
	case CLI_OPT_ALLOW_UNVERIFIED:
		r->allow_unverified = true;
		return 1;
	case CLI_OPT_UPGRADE:
		r->upgrade_all = true;
		return 1;
	case CLI_OPT_UPGRADE_PACKAGE:
		if (r->nupgrade == sizeof(r->upgrade) / sizeof(*r->upgrade))
			return cli_usage_error(cmd, "takes at most %zu packages to upgrade", r->nupgrade), -1;
		r->upgrade[r->nupgrade++] = (char *)arg;
		return 1;
	}
	return 0;
}

static struct relock_request request_of(const struct cli_relock *r)
{
	return (struct relock_request){
		.indexes = r->indexes, .nindexes = r->nindexes, .envs = r->envs, .nenvs = r->nenvs,
		.upgrade = r->upgrade, .nupgrade = r->nupgrade, .upgrade_all = r->upgrade_all,
		.prerelease = r->prerelease, .allow_unverified = r->allow_unverified,
	};
}

/* What a relock did, as the commands say it. */
static int report(const char *name, int rc, struct relock_result *res, const struct pl_error *err)
{
	if (rc < 0) {
		cli_print_error(err);
		return CLI_USAGE;
	}
	if (rc == 1) {
		fprintf(stderr, "pylock: %s: no set of versions satisfies the requirements:\n", name);
		fputs(util_buf_str(&res->why), stderr);
		if (strstr(res->why.data, "trust policy"))
			fprintf(stderr, "pylock: versions the policy does not admit were left out; --allow-unverified "
				"considers them (and notes it in the lock)\n");
		return CLI_CHECK_FAILED;
	}
	if (!res->written) {
		fprintf(stderr, "pylock: %s: %s is up to date (%zu packages, %.2f s)\n", name, res->lock_name,
			res->stats.packages, res->seconds);
		return CLI_OK;
	}
	struct lockdiff d;
	lockdiff_diff(res->before, res->after, &d);
	cli_print_lockdiff(&d);
	lockdiff_fini(&d);
	fprintf(stderr, "pylock: %s: wrote %s: %zu packages in %.2f s (%zu decisions, %zu conflicts)\n", name,
		res->lock_name, res->stats.packages, res->seconds, res->stats.decisions, res->stats.conflicts);
	return CLI_OK;
}

int cli_relock_project(const char *project, const char *lock_name, const struct cli_relock *r)
{
	struct projctx c;
	struct projctx_request req = { .lock = lock_name };
	struct relock_request rr = request_of(r);
	struct relock_result res;
	struct pl_error err;
	char *dir;
	int rc;

	pl_error_clear(&err);
	if (!(dir = cli_project_dir(project, &err)) ||
	    projctx_open(&c, dir, PROJCTX_POLICY | PROJCTX_PYTHON, &req, &err) < 0) {
		cli_print_error(&err);
		free(dir);
		return CLI_USAGE;
	}
	rc = report(c.proj->name, relock_project(&c, &rr, &res, &err), &res, &err);
	relock_result_fini(&res);
	projctx_close(&c);
	free(dir);
	return rc;
}

int cli_edit_pyproject(const struct cli_command *self, const char *project, const char *lock,
		       const struct cli_relock *r, char **args, int nargs, cli_pyproject_edit edit, void *ctx)
{
	struct util_buf text = UTIL_BUF_INIT, edited = UTIL_BUF_INIT, path = UTIL_BUF_INIT;
	struct relock_request rr = request_of(r);
	struct relock_result res;
	struct pl_error err;
	char *dir, *old = NULL;
	const char *name;
	size_t oldlen;
	bool restored;
	int rc = CLI_USAGE;

	(void)self;
	if (!(dir = cli_project_dir(project, &err))) {
		cli_print_error(&err);
		return CLI_USAGE;
	}
	util_buf_printf(&path, "%s/pyproject.toml", dir);
	if (util_read_file(path.data, PROJECT_MAX_PYPROJECT, &old, &oldlen, &err) < 0) {
		cli_print_error(&err);
		goto out;
	}
	util_buf_add(&text, old, oldlen);
	for (int i = 0; i < nargs; i++) {
		if (edit(text.data ? text.data : "", text.len, path.data, args[i], ctx, &edited, &err) < 0) {
			cli_print_error(&err);
			goto out;
		}
		util_buf_truncate(&text, 0);
		util_buf_add(&text, edited.data, edited.len);
	}
	name = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	rc = report(name, relock_edited(dir, lock, old, oldlen, text.data, text.len, &rr, &res, &restored, &err),
		    &res, &err);
	if (restored)
		fprintf(stderr, "pylock: pyproject.toml is left as it was\n");
	relock_result_fini(&res);
out:
	util_buf_free(&text);
	util_buf_free(&edited);
	util_buf_free(&path);
	free(old);
	free(dir);
	return rc;
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LOCK_OPTION, CLI_RELOCK_OPTIONS,
		{ "upgrade", no_argument, NULL, CLI_OPT_UPGRADE },
		{ "upgrade-package", required_argument, NULL, CLI_OPT_UPGRADE_PACKAGE },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_relock r = { .nindexes = 0 };
	const char *lock = NULL;
	int c;

	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1) {
		if (c == CLI_OPT_LOCK) {
			lock = optarg;
			continue;
		}
		if (cli_relock_option(self, c, optarg, &r) != 1)
			return CLI_USAGE;
	}
	if (argc - optind > 1)
		return cli_usage_error(self, "takes at most one PROJECT");
	return cli_relock_project(optind < argc ? argv[optind] : NULL, lock, &r);
}

const struct cli_command cmd_lock = {
	.name = "lock",
	.usage = CLI_LOCK_USAGE " " CLI_RELOCK_USAGE " [--upgrade] [--upgrade-package NAME]... [PROJECT]",
	.summary = "Resolve pyproject.toml into the project's lock, among files the trust policy admits.",
	.help = "Reads [project] dependencies, optional-dependencies, [dependency-groups] (include-group\n"
		"followed) and requires-python, and solves them together with PubGrub against the\n"
		"indexes (--index URL first, then the policy's registries, else PyPI; the first index\n"
		"that has a project is the only one asked for it): PEP 691 JSON or PEP 503 HTML pages,\n"
		"file:// folders (NAME/index.json or NAME/index.html) offline. Core metadata comes from\n"
		"PEP 658 .metadata files, else from the wheel, fetched into the store and checked as\n"
		"sync checks it. Each version's Requires-Python and Requires-Dist markers and extras\n"
		"count; yanked files are never chosen unless pinned with ==; pre-releases only with\n"
		"--prerelease, when a requirement names one, or when nothing else is left. Under mode\n"
		"enforce only versions with a wheel the policy admits (signed by a trusted key,\n"
		"attested by an accepted publisher, or allowed unsigned) are candidates, and the lock\n"
		"names only admitted files; --allow-unverified considers every file and says so in\n"
		"[tool.pylock]. The lock is for this interpreter's environment, or for each --env\n"
		"MARKER (== pins of python_version, sys_platform, platform_machine...), each solved\n"
		"apart; package entries carry the markers that select them (environments, and PEP\n"
		"751's extras / dependency_groups). Versions already locked are kept unless something\n"
		"must change; --upgrade and --upgrade-package NAME lift that. With no solution, says\n"
		"why in sentences and exits 1. Prints what changed in `pylock diff`'s words.",
	.run = run,
};
