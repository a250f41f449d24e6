#include "config.h"

#include "cli.h"
#include "pyedit.h"

static int remove_one(const char *text, size_t len, const char *path, const char *name, void *ctx,
		      struct util_buf *out, struct pl_error *err)
{
	size_t removed;

	(void)ctx;
	if (pyedit_remove(text, len, path, name, out, &removed, err) < 0)
		return -1;
	if (!removed)
		return pl_error_set(err, path, 0, 0, "no requirement names '%.100s' (in dependencies, "
				    "optional-dependencies or dependency-groups); nothing changed", name);
	return 0;
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LOCK_OPTION, CLI_RELOCK_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_relock r = { .nindexes = 0 };
	const char *lock = NULL, *project = NULL;
	int c;

	while ((c = cli_getopt(self, argc, argv, "C:", opts)) != -1) {
		if (c == CLI_OPT_LOCK)
			lock = optarg;
		else if (c == 'C')
			project = optarg;
		else if (cli_relock_option(self, c, optarg, &r) != 1)
			return CLI_USAGE;
	}
	if (optind == argc)
		return cli_usage_error(self, "needs at least one NAME");
	return cli_edit_pyproject(self, project, lock, &r, argv + optind, argc - optind, remove_one, NULL);
}

const struct cli_command cmd_remove = {
	.name = "remove",
	.usage = CLI_LOCK_USAGE " " CLI_RELOCK_USAGE " [-C PROJECT] NAME...",
	.summary = "Remove requirements from pyproject.toml and relock.",
	.help = "Every requirement naming each NAME (any spelling) leaves [project] dependencies,\n"
		"every optional-dependencies extra and every dependency group, each with its comma\n"
		"(and its line, when it had one of its own); the rest of the file is kept byte for\n"
		"byte. A NAME no list names is an error (exit 2, nothing written). Then `pylock lock`\n"
		"runs; when no lock can be made, pyproject.toml is put back as it was.",
	.run = run,
};
