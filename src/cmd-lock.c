#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "lockdiff.h"
#include "lockgen.h"

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

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The indexes searched: --index first, then the policy's registries, else
 * PyPI. Each https one's host may be fetched from. */
static void indexes(const struct projctx *c, const struct cli_relock *r, struct util_buf *list, char ***urls,
		    size_t *n, char ***hosts, size_t *nhosts)
{
	(void)list;
	*urls = util_xcalloc(r->nindexes + c->policy.nregistries + 1, sizeof(char *));
	*hosts = util_xcalloc(c->cfg.fetch_hosts.n + r->nindexes + 2, sizeof(char *));
	*n = *nhosts = 0;
	for (size_t i = 0; i < r->nindexes; i++)
		(*urls)[(*n)++] = r->indexes[i];
	for (size_t i = 0; i < c->policy.nregistries; i++)
		(*urls)[(*n)++] = c->policy.registries[i].url;
	if (!*n)
		(*urls)[(*n)++] = "https://pypi.org/simple";
	if (c->cfg.fetch_hosts_set)
		for (size_t i = 0; i < c->cfg.fetch_hosts.n; i++)
			(*hosts)[(*nhosts)++] = util_xstrdup(c->cfg.fetch_hosts.items[i]);
	else {
		(*hosts)[(*nhosts)++] = util_xstrdup("pypi.org");
		(*hosts)[(*nhosts)++] = util_xstrdup("files.pythonhosted.org");
	}
	for (size_t i = 0; i < r->nindexes; i++) {
		char host[256];
		if (!strncmp(r->indexes[i], "https://", 8) && util_url_host(r->indexes[i], host, sizeof(host)))
			(*hosts)[(*nhosts)++] = util_xstrdup(host);
	}
}

int cli_relock_project(const struct cli_command *cmd, const char *dir, const char *lock_name,
		       const struct cli_relock *r)
{
	struct projctx c;
	struct projctx_request req = { .lock = lock_name };
	struct pl_error err;
	struct util_buf out = UTIL_BUF_INIT, why = UTIL_BUF_INIT;
	struct lock *previous = NULL, *made = NULL;
	struct candidates *cands = NULL;
	struct lockgen_stats st;
	struct stat sb;
	char **urls = NULL, **hosts = NULL, *cache = NULL, *old = NULL;
	size_t nurls = 0, nhosts = 0, oldlen = 0;
	double start = now();
	int rc = CLI_USAGE;

	(void)cmd;
	pl_error_clear(&err);
	if (projctx_open(&c, dir, PROJCTX_POLICY | PROJCTX_PYTHON, &req, &err) < 0) {
		cli_print_error(&err);
		return CLI_USAGE;
	}
	if (!c.proj->pyproject_path) {
		pl_error_set(&err, c.proj->root, 0, 0, "has no pyproject.toml: there is nothing to lock from");
		goto fail;
	}
	if (stat(c.proj->lock_path, &sb) == 0) {
		if (!(previous = lock_read(c.proj->lock_path, &err)))
			goto fail;
		if (util_read_file(c.proj->lock_path, LOCK_MAX_SIZE, &old, &oldlen, &err) < 0)
			goto fail;
	}
	indexes(&c, r, NULL, &urls, &nurls, &hosts, &nhosts);
	struct candidates_options co = {
		.indexes = urls, .nindexes = nurls, .fetch = projctx_fetch_options(&c), .policy = &c.policy,
		.check_trust = c.policy.mode == TRUST_ENFORCE && !r->allow_unverified, .store = c.store,
	};
	co.fetch.hosts = hosts;
	co.fetch.nhosts = nhosts;
	co.fetch.hosts_set = true;
	cache = util_dir_file(UTIL_DIR_CACHE, "metadata", &err);
	co.cache = cache;
	if (!(cands = candidates_new(&co, &err)))
		goto fail;
	struct lockgen_options o = {
		.proj = c.proj, .py = &c.py, .cands = cands, .previous = previous, .upgrade_all = r->upgrade_all,
		.upgrade = r->upgrade, .nupgrade = r->nupgrade, .prerelease = r->prerelease,
		.allow_unverified = r->allow_unverified, .envs = r->envs, .nenvs = r->nenvs,
	};
	int got = lockgen_run(&o, &out, &why, &st, &err);
	if (got < 0)
		goto fail;
	if (got == 1) {
		fprintf(stderr, "pylock: %s: no set of versions satisfies the requirements:\n", c.proj->name);
		cli_raw(stderr, "");
		fputs(util_buf_str(&why), stderr);
		if (strstr(why.data, "trust policy"))
			fprintf(stderr, "pylock: versions the policy does not admit were left out; --allow-unverified "
				"considers them (and notes it in the lock)\n");
		rc = CLI_CHECK_FAILED;
		goto out;
	}
	const char *base = strrchr(c.proj->lock_path, '/') + 1;
	if (old && oldlen == out.len && !memcmp(old, out.data, oldlen)) {
		fprintf(stderr, "pylock: %s: %s is up to date (%zu packages, %.2f s)\n", c.proj->name, base,
			st.packages, now() - start);
		rc = CLI_OK;
		goto out;
	}
	if (!(made = lock_parse(out.data, out.len, base, &err)) ||
	    util_write_atomic(c.proj->lock_path, out.data, out.len, 0644, &err) < 0)
		goto fail;
	struct lockdiff d;
	lockdiff_diff(previous, made, &d);
	cli_print_lockdiff(&d);
	lockdiff_fini(&d);
	fprintf(stderr, "pylock: %s: wrote %s: %zu packages for %zu environment%s in %.2f s (%zu decisions, %zu "
		"conflicts)\n", c.proj->name, base, st.packages, r->nenvs ? r->nenvs : 1, r->nenvs > 1 ? "s" : "",
		now() - start, st.decisions, st.conflicts);
	rc = CLI_OK;
	goto out;
fail:
	cli_print_error(&err);
out:
	candidates_free(cands);
	lock_free(previous);
	lock_free(made);
	for (size_t i = 0; i < nhosts; i++)
		free(hosts[i]);
	free(hosts);
	free(urls);
	free(cache);
	free(old);
	util_buf_free(&out);
	util_buf_free(&why);
	projctx_close(&c);
	return rc;
}

int cli_edit_pyproject(const struct cli_command *self, const char *project, const char *lock,
		       const struct cli_relock *r, char **args, int nargs, cli_pyproject_edit edit, void *ctx)
{
	struct util_buf text = UTIL_BUF_INIT, edited = UTIL_BUF_INIT, path = UTIL_BUF_INIT;
	struct pl_error err;
	char *dir, *old = NULL;
	size_t oldlen;
	int rc = CLI_USAGE;

	if (!(dir = cli_project_dir(project, &err))) {
		cli_print_error(&err);
		return CLI_USAGE;
	}
	util_buf_printf(&path, "%s/pyproject.toml", dir);
	if (util_read_file(path.data, PROJECT_MAX_PYPROJECT, &old, &oldlen, &err) < 0)
		goto fail;
	util_buf_add(&text, old, oldlen);
	for (int i = 0; i < nargs; i++) {
		if (edit(text.data ? text.data : "", text.len, path.data, args[i], ctx, &edited, &err) < 0)
			goto fail;
		util_buf_truncate(&text, 0);
		util_buf_add(&text, edited.data, edited.len);
	}
	if (util_write_atomic(path.data, text.data, text.len, 0644, &err) < 0)
		goto fail;
	/* A declaration pylock cannot lock is not left behind. */
	rc = cli_relock_project(self, dir, lock, r);
	if (rc != CLI_OK) {
		if (util_write_atomic(path.data, old, oldlen, 0644, &err) < 0)
			cli_print_error(&err);
		else
			fprintf(stderr, "pylock: pyproject.toml is left as it was\n");
	}
	goto out;
fail:
	cli_print_error(&err);
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
	struct pl_error err;
	int c, rc;

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
	char *dir = cli_project_dir(optind < argc ? argv[optind] : NULL, &err);
	if (!dir) {
		cli_print_error(&err);
		return CLI_USAGE;
	}
	rc = cli_relock_project(self, dir, lock, &r);
	free(dir);
	return rc;
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
