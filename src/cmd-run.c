#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "net", required_argument, NULL, 'n' },
		{ "bind", required_argument, NULL, 'b' },
		{ "ro-bind", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_sandbox_args sa = { 0 };
	const char *project = NULL;
	char **cmd;
	int c, rc;

	while ((c = cli_getopt(self, argc, argv, "+", opts)) != -1) {
		switch (c) {
		case 'n':
			if (strcmp(optarg, "off") && strcmp(optarg, "on"))
				return cli_usage_error(self, "--net takes 'on' or 'off'");
			sa.net = !strcmp(optarg, "off") ? 0 : 1;
			sa.net_given = true;
			break;
		case 'b':
		case 'r':
			cli_sandbox_args_bind(&sa, optarg, c == 'r');
			break;
		default:
			cli_sandbox_args_fini(&sa);
			return CLI_USAGE;
		}
	}
	/* pylock run -- CMD...  or  pylock run PROJECT -- CMD... */
	if (optind > 1 && !strcmp(argv[optind - 1], "--"))
		cmd = argv + optind;
	else if (optind + 1 < argc && !strcmp(argv[optind + 1], "--")) {
		project = argv[optind];
		cmd = argv + optind + 2;
	} else {
		cli_sandbox_args_fini(&sa);
		return cli_usage_error(self, "put -- before the command");
	}
	if (!*cmd) {
		cli_sandbox_args_fini(&sa);
		return cli_usage_error(self, "no command to run");
	}
	rc = cli_run_sandboxed(project, &sa, cmd);
	cli_sandbox_args_fini(&sa);
	return rc;
}

const struct cli_command cmd_run = {
	.name = "run",
	.usage = "[--net=on|off] [--bind SRC[:DST]] [--ro-bind SRC[:DST]] [PROJECT] -- CMD [ARGS...]",
	.summary = "Run a command in the project's sandbox.",
	.help = "The sandbox is an unprivileged user + mount + pid + ipc + uts + cgroup namespace (plus\n"
		"an empty network namespace with --net=off): /usr and /etc read-only, fresh /proc and\n"
		"/dev, empty tmpfs /tmp, /run and $HOME (dotfiles from config.yaml passed read-only), the\n"
		"project's git work tree read-write at its own path (its git hooks and config read-only),\n"
		"the environment read-only at /opt/venv (empty until 'pylock sync' built it), no\n"
		"capabilities, no_new_privs, and a seccomp filter refusing TIOCSTI, TIOCLINUX and the\n"
		"kernel keyring. The command runs in the project folder with VIRTUAL_ENV and PATH set;\n"
		"its exit status is pylock's (128+N when killed by signal N; 127 when it is not found).\n"
		"PROJECT is a project folder or a discovered project's name; the default is the project\n"
		"holding the current folder.",
	.run = run,
};
