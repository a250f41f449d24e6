#include "config.h"

#include "cli.h"
#include "pep508.h"
#include "pyedit.h"

enum { OPT_GROUP = 0x300, OPT_OPTIONAL };

struct target {
	enum pyedit_list list;
	const char *name;
};

static int add_one(const char *text, size_t len, const char *path, const char *spec, void *ctx, struct util_buf *out,
		   struct pl_error *err)
{
	const struct target *t = ctx;

	return pyedit_add(text, len, path, t->list, t->name, spec, out, err);
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LOCK_OPTION, CLI_RELOCK_OPTIONS,
		{ "group", required_argument, NULL, OPT_GROUP },
		{ "optional", required_argument, NULL, OPT_OPTIONAL },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_relock r = { .nindexes = 0 };
	struct target t = { PYEDIT_DEPENDENCIES, NULL };
	const char *lock = NULL, *project = NULL;
	int c;

	while ((c = cli_getopt(self, argc, argv, "C:", opts)) != -1) {
		if (c == CLI_OPT_LOCK) {
			lock = optarg;
		} else if (c == 'C') {
			project = optarg;
		} else if (c == OPT_GROUP || c == OPT_OPTIONAL) {
			if (t.name)
				return cli_usage_error(self, "takes one --group or --optional");
			t.name = optarg;
			t.list = c == OPT_GROUP ? PYEDIT_GROUP : PYEDIT_OPTIONAL;
			if (!pep508_valid_name(t.name))
				return cli_usage_error(self, "'%.100s' is not a valid %s name", t.name,
						       c == OPT_GROUP ? "group" : "extra");
		} else if (cli_relock_option(self, c, optarg, &r) != 1) {
			return CLI_USAGE;
		}
	}
	if (optind == argc)
		return cli_usage_error(self, "needs at least one SPEC");
	return cli_edit_pyproject(self, project, lock, &r, argv + optind, argc - optind, add_one, &t);
}

const struct cli_command cmd_add = {
	.name = "add",
	.usage = "[--group G | --optional EXTRA] " CLI_LOCK_USAGE " " CLI_RELOCK_USAGE " [-C PROJECT] SPEC...",
	.summary = "Add requirements to pyproject.toml and relock.",
	.help = "Each SPEC (PEP 508: \"attrs>=22\", \"httpx[http2]; python_version >= '3.10'\") goes into\n"
		"[project] dependencies, or the dependency group G, or the optional dependencies of\n"
		"EXTRA, replacing a requirement there that names the same project. pyproject.toml is\n"
		"edited in place: comments, order, quoting and layout are kept, only the new element\n"
		"(and a comma) is written. Then `pylock lock` runs with the same options; when no lock\n"
		"can be made, pyproject.toml is put back as it was (exit 1). -C PROJECT names the\n"
		"project (default: the one holding the current folder).",
	.run = run,
};
