#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "deep", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct projctx e;
	struct pl_error err;
	bool deep = false, json = false;
	struct env_status st = { 0 };
	int c, rc = CLI_USAGE;

	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1) {
		if (c == 'd')
			deep = true;
		else if (c == 'j')
			json = true;
		else
			return CLI_USAGE;
	}
	if (argc - optind > 1)
		return cli_usage_error(self, "takes at most one PROJECT");
	pl_error_clear(&err);
	if (cli_project_open(self, optind < argc ? argv[optind] : NULL, &e, &err) < 0)
		goto fail;
	if (env_status(e.store, e.proj->root, e.plan.env_id, deep, &st, &err) < 0)
		goto fail;
	if (json) {
		cli_print_json(json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:o, s:o}", "project", e.proj->name,
			"root", e.proj->root, "lock", e.proj->lock_path, "python", e.py.executable,
			"python_version", e.py.version, "packages", (int)e.plan.n, "state", env_state_name(st.state),
			"env_id", st.state == ENV_STALE ? cli_json_str(st.remembered) : json_string(e.plan.env_id),
			"drifted", deep ? json_integer((json_int_t)st.drifted) : json_null()));
	} else {
		printf("project  %s (%s)\n", e.proj->name, e.proj->root);
		printf("lock     %s: %zu package%s for this interpreter\n", e.proj->lock_path, e.plan.n,
		       e.plan.n == 1 ? "" : "s");
		printf("python   %s (%s)\n", e.py.executable, e.py.version);
		switch (st.state) {
		case ENV_BUILT:
			printf("env      built %s%s\n", e.plan.env_id, deep ? ", files match RECORD" : "");
			break;
		case ENV_DRIFTED:
			printf("env      drifted %s: %zu file%s differ from RECORD (first: %s)\n", e.plan.env_id,
			       st.drifted, st.drifted == 1 ? "" : "s", st.first);
			break;
		case ENV_STALE:
			printf("env      stale: %s was built from an older lock; run pylock sync\n", st.remembered);
			break;
		default:
			printf("env      missing: run pylock sync\n");
		}
	}
	rc = st.state == ENV_BUILT ? CLI_OK : CLI_CHECK_FAILED;
	goto out;
fail:
	cli_print_error(&err);
out:
	env_status_fini(&st);
	projctx_close(&e);
	return rc;
}

const struct cli_command cmd_status = {
	.name = "status",
	.usage = "[--deep] [--json] [PROJECT]",
	.summary = "Show whether the project's environment is built, stale or drifted.",
	.help = "States: built (the environment of the current lock and interpreter exists),\n"
		"stale (only one built from an older lock exists), missing, and with --deep drifted\n"
		"(a file differs from its package's RECORD). Exit status 0 when built, 1 otherwise.\n"
		"--json prints {\"project\", \"root\", \"lock\", \"python\", \"python_version\",\n"
		"\"packages\", \"state\", \"env_id\", \"drifted\"}.",
	.run = run,
	.needs = PROJCTX_PLAN,
};
