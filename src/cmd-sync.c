#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sync.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* --timings: each step's start, printed with its length once the next
 * begins (stderr). */
struct timings {
	const char *step;
	double at;
	bool bar;
};

static void timing(void *arg, const char *step)
{
	struct timings *t = arg;
	double n = now();

	if (t->step)
		fprintf(stderr, "%s  %-10s %8.1f ms\n", t->bar ? "\r\033[K" : "", t->step, (n - t->at) * 1e3);
	t->step = step;
	t->at = n;
}

static void timed_bar(void *arg, const char *phase, size_t done, size_t total)
{
	struct timings *t = arg;

	if (t->bar)
		cli_progress_bar(NULL, phase, done, total);
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	struct env_progress bar = { cli_progress_bar, NULL, NULL };
	struct projctx e;
	struct pl_error err;
	struct sync_result r = { 0 };
	double start = now();
	static const struct option opts[] = { CLI_SELECT_OPTIONS, { "timings", no_argument, NULL, 'T' },
					      { NULL, 0, NULL, 0 } };
	struct cli_select sel = { .req.lock = NULL };
	struct timings t = { .bar = isatty(2) };
	bool timings = false;
	int c, rc = CLI_USAGE;

	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1)
		if (c == 'T')
			timings = true;
		else if (cli_select_option(self, c, optarg, &sel) != 1)
			return CLI_USAGE;
	if (argc - optind > 1)
		return cli_usage_error(self, "takes at most one PROJECT");
	pl_error_clear(&err);
	if (timings) {
		bar = (struct env_progress){ timed_bar, &t, timing };
		timing(&t, "policy");
	}
	/* One part at a time, so that --timings can tell them apart. */
	if (cli_project_open(self, optind < argc ? argv[optind] : NULL, &sel, &e, &err) < 0)
		goto fail;
	if (timings)
		timing(&t, "lock");
	if (projctx_need(&e, PROJCTX_LOCK, &err) < 0)
		goto fail;
	if (timings)
		timing(&t, "python");
	if (projctx_need(&e, PROJCTX_PYTHON, &err) < 0)
		goto fail;
	if (timings)
		timing(&t, "plan");
	if (projctx_need(&e, PROJCTX_PLAN, &err) < 0)
		goto fail;
	if (sync_project(&e, isatty(2) || timings ? &bar : NULL, &r, &err) < 0) {
		if (r.refused)
			rc = CLI_CHECK_FAILED;
		goto fail;
	}
	if (timings) {
		timing(&t, NULL);
		fprintf(stderr, "  %-10s %8.1f ms\n", "total", (now() - start) * 1e3);
	}
	printf("%s\n", e.plan.env_id);
	fprintf(stderr, "pylock: %s: %zu package%s for Python %s%s, %s in %.2f s\n", e.proj->name, e.plan.n,
		e.plan.n == 1 ? "" : "s", e.py.version, e.plan.skipped ? " (others' markers do not apply)" : "",
		r.built ? "built" : "up to date", now() - start);
	rc = CLI_OK;
	goto out;
fail:
	cli_print_error(&err);
out:
	if (r.cache_why[0])
		fprintf(stderr, "pylock: %s\n", r.cache_why);
	projctx_close(&e);
	return rc;
}

const struct cli_command cmd_sync = {
	.name = "sync",
	.usage = "[--timings] " CLI_SELECT_USAGE " [PROJECT]",
	.summary = "Build the project's environment from its lock, from verified files only.",
	.help = "Chooses, for the interpreter (the project's [tool.pylock] python, a command name,\n"
		"else config's python, else python3 on PATH; never a file a sandbox may write, see\n"
		"pylock-config(5)), each package whose marker holds and its best wheel by\n"
		"tag priority; a package with only an sdist, VCS, directory or archive source is an\n"
		"error naming it. Every chosen file is found as `pylock verify` finds it and admitted\n"
		"into the store only when the trust policy accepts it: under mode enforce one refused\n"
		"file stops the sync (exit 1) before anything is unpacked. Each wheel is unpacked once\n"
		"into the store and compiled to bytecode; the environment, a venv for /opt/venv, is\n"
		"assembled from them by hard links under a temporary name and renamed into place.\n"
		"Prints the env-id; a second run of the same lock builds nothing. A lock naming an\n"
		"https host that neither policy.yaml's registries nor config.yaml's fetch: hosts name\n"
		"is refused before any connection (exit 2). --timings prints how long each step took\n"
		"(policy, lock, python, plan, verify, unpack, compile, publish, link, record, remember,\n"
		"cache) on stderr." CLI_SELECT_HELP,
	.run = run,
	.needs = PROJCTX_POLICY,
};
