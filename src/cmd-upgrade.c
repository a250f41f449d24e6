#include "config.h"

#include <stdlib.h>

#include "cli.h"

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_LOCK_OPTION, CLI_RELOCK_OPTIONS,
		{ "project", required_argument, NULL, 'C' },
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
	for (int i = optind; i < argc; i++)
		if (cli_relock_option(self, CLI_OPT_UPGRADE_PACKAGE, argv[i], &r) != 1)
			return CLI_USAGE;
	r.upgrade_all = optind == argc;
	return cli_relock_project(project, lock, &r);
}

const struct cli_command cmd_upgrade = {
	.name = "upgrade",
	.usage = CLI_LOCK_USAGE " " CLI_RELOCK_USAGE " [-C PROJECT] [NAME...]",
	.summary = "Relock with the newest versions the requirements and the policy allow.",
	.help = "`pylock lock` without keeping the locked versions: of every package, or of the\n"
		"NAMEs given (the others stay where they are unless they must move). -C PROJECT\n"
		"names the project (default: the one holding the current folder).",
	.run = run,
};
