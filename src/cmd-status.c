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
		CLI_SELECT_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_select sel = { .req.lock = NULL };
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
		else if (cli_select_option(self, c, optarg, &sel) != 1)
			return CLI_USAGE;
	}
	if (argc - optind > 1)
		return cli_usage_error(self, "takes at most one PROJECT");
	pl_error_clear(&err);
	if (cli_project_open(self, optind < argc ? argv[optind] : NULL, &sel, &e, &err) < 0)
		goto fail;
	/* A lock this interpreter can have no environment of (a package needs
	 * a build, no wheel fits) is a state to report, not a failure. */
	struct pl_error why;
	if (projctx_need(&e, PROJCTX_PLAN, &why) < 0) {
		char msg[1400];
		pl_error_format(&why, msg, sizeof(msg));
		if (json)
			cli_print_json(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "project", e.proj->name, "root",
				e.proj->root, "lock", e.proj->lock_path, "python", e.py.executable, "state", "unbuildable",
				"why", msg));
		else
			printf("project  %s (%s)\nlock     %s\npython   %s (%s)\nenv      cannot be built: %s\n",
			       e.proj->name, e.proj->root, e.proj->lock_path, e.py.executable, e.py.version, msg);
		rc = CLI_CHECK_FAILED;
		goto out;
	}
	if (env_status(e.store, e.proj->root, e.proj->lock_path, e.plan.env_id, deep, &st, &err) < 0)
		goto fail;
	if (json) {
		json_t *groups = json_array(), *extras = json_array();
		for (size_t i = 0; i < e.plan.sel.ngroups; i++)
			json_array_append_new(groups, json_string(e.plan.sel.groups[i]));
		for (size_t i = 0; i < e.plan.sel.nextras; i++)
			json_array_append_new(extras, json_string(e.plan.sel.extras[i]));
		cli_print_json(json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:s, s:o, s:o}", "project",
			e.proj->name, "root", e.proj->root, "lock", e.proj->lock_path, "python", e.py.executable,
			"python_version", e.py.version, "packages", (int)e.plan.n, "groups", groups, "extras", extras,
			"state", env_state_name(st.state),
			"env_id", st.state == ENV_STALE ? cli_json_str(st.remembered) : json_string(e.plan.env_id),
			"drifted", deep ? json_integer((json_int_t)st.drifted) : json_null()));
	} else {
		struct util_buf select = UTIL_BUF_INIT;
		env_selection_describe(&e.plan.sel, &select);
		printf("project  %s (%s)\n", e.proj->name, e.proj->root);
		printf("lock     %s: %zu package%s for this interpreter (%s)\n", e.proj->lock_path, e.plan.n,
		       e.plan.n == 1 ? "" : "s", select.data);
		util_buf_free(&select);
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
			printf("env      stale: %s was built from an older lock or another selection; run pylock sync\n",
			       st.remembered);
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
	.usage = "[--deep] [--json] " CLI_SELECT_USAGE " [PROJECT]",
	.summary = "Show whether the project's environment is built, stale or drifted.",
	.help = "States: built (the environment of the current lock and interpreter exists),\n"
		"stale (only one built from an older lock exists), missing, and with --deep drifted\n"
		"(a file differs from its package's RECORD), and unbuildable (this interpreter can have no\n"
		"environment of the lock: why is said). Exit status 0 when built, 1 otherwise.\n"
		"--json prints {\"project\", \"root\", \"lock\", \"python\", \"python_version\",\n"
		"\"packages\", \"groups\", \"extras\", \"state\", \"env_id\", \"drifted\"}." CLI_SELECT_HELP,
	.run = run,
	.needs = PROJCTX_LOCK | PROJCTX_PYTHON,
};
