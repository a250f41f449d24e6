#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* pylock-ui beside this program (a build tree, or a relocated install),
 * else where `make install` put it. */
static int find_ui(char *path, size_t size, char *self, size_t self_size)
{
	ssize_t n = readlink("/proc/self/exe", self, self_size - 1);

	if (n > 0) {
		self[n] = '\0';
		snprintf(path, size, "%.*s/pylock-ui", (int)(strrchr(self, '/') - self), self);
		if (access(path, X_OK) == 0)
			return 0;
	} else {
		snprintf(self, self_size, "pylock");
	}
	snprintf(path, size, "%s/pylock-ui", PYLOCK_UI_DIR);
	return access(path, X_OK);
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	char ui[PATH_MAX + 16], me[PATH_MAX];

	while (cli_getopt(self, argc, argv, "", (const struct option[]){ { NULL, 0, NULL, 0 } }) != -1)
		return CLI_USAGE;
	if (!isatty(0) || !isatty(1)) {
		fprintf(stderr, "pylock: the terminal UI needs a terminal; see 'pylock --help' for the commands\n");
		return CLI_USAGE;
	}
	if (find_ui(ui, sizeof(ui), me, sizeof(me)) < 0) {
		fprintf(stderr, "pylock: cannot find pylock-ui (looked beside %s and in %s)\n", me, PYLOCK_UI_DIR);
		return CLI_USAGE;
	}
	/* The UI runs verify, sync and shells through this very program. */
	setenv("PYLOCK_BIN", me, 1);
	argv[optind - 1] = ui;
	execv(ui, argv + optind - 1);
	fprintf(stderr, "pylock: cannot run %s: %s\n", ui, strerror(errno));
	return CLI_USAGE;
}

const struct cli_command cmd_ui = {
	.name = "ui",
	.usage = "[ROOT...]",
	.summary = "Open the terminal UI (what `pylock` alone does).",
	.help = "Lists the projects found under the roots (the command line, else config's roots:,\n"
		"else the current folder) beside a detail pane: Packages (versions, sources and\n"
		"signature status), Diff (the lock against HEAD or another revision), Conflicts\n"
		"(resolve a lock left in merge conflict package by package) and Info (paths,\n"
		"environment, interpreter). Discovery, verify and sync run in the background.\n"
		"The keys are listed below under KEYS and by ? in the UI. Colours come from\n"
		"themes (config's theme:, t cycles them); NO_COLOR is honoured.",
	.run = run,
};
