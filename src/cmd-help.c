#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_overview(void)
{
	printf("usage: pylock [--version] [--help] COMMAND [ARGS]\n\n"
	       "pylock manages per-project Python environments built from pylock.toml.\n\n"
	       "Commands:\n");
	for (size_t i = 0; cli_commands[i]; i++)
		printf("  %-13s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	printf("\nExit status: 0 ok, 1 a check failed, 2 usage or input error.\n"
	       "'pylock help COMMAND' tells more about one command.\n");
}

/* Text as roff: a line starting with '.' or '\'' would be a request, and a
 * backslash an escape. */
static void print_roff_text(const char *text)
{
	bool line_start = true;

	for (const char *p = text; *p; p++) {
		if (line_start && (*p == '.' || *p == '\''))
			fputs("\\&", stdout);
		if (*p == '\\')
			fputs("\\e", stdout);
		else
			putchar(*p);
		line_start = *p == '\n';
	}
	putchar('\n');
}

/* roff for the man page's COMMANDS section, so the page cannot drift from the table. */
static void print_roff(void)
{
	for (size_t i = 0; cli_commands[i]; i++) {
		const struct cli_command *c = cli_commands[i];

		printf(".TP\n.B pylock %s", c->name);
		if (c->usage[0])
			printf(" \\fI%s\\fR", c->usage);
		printf("\n%s\n", c->summary);
		if (c->help[0]) {
			printf(".IP\n");
			print_roff_text(c->help);
		}
	}
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "roff", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd;
	int c;

	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1) {
		if (c == 'r') {
			print_roff();
			return CLI_OK;
		}
		return CLI_USAGE;
	}
	if (optind >= argc) {
		print_overview();
		return CLI_OK;
	}
	if (optind + 1 < argc)
		return cli_usage_error(self, "takes one command name");
	cmd = cli_find(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "pylock help: no command '%s'; see 'pylock --help'\n", argv[optind]);
		return CLI_USAGE;
	}
	printf("usage: pylock %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
	if (cmd->help[0])
		printf("\n%s\n", cmd->help);
	return CLI_OK;
}

const struct cli_command cmd_help = {
	.name = "help",
	.usage = "[COMMAND]",
	.summary = "Show the commands, or what one command does.",
	.help = "With --roff, prints the command list as roff for the man page.",
	.run = run,
};
