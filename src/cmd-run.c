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
		CLI_SELECT_OPTIONS,
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
			if (cli_select_option(self, c, optarg, &sa.select) == 1)
				break;
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
	rc = cli_run_sandboxed(self, project, &sa, cmd);
	cli_sandbox_args_fini(&sa);
	return rc;
}

const struct cli_command cmd_run = {
	.name = "run",
	.usage = "[--net=on|off] [--bind SRC[:DST]] [--ro-bind SRC[:DST]] " CLI_SELECT_USAGE " [PROJECT] -- CMD [ARGS...]",
	.summary = "Run a command in the project's sandbox.",
	.help = "The sandbox is an unprivileged user + mount + pid + ipc + uts + cgroup namespace (plus\n"
		"an empty network namespace with --net=off, loopback up): /usr and /etc read-only (as\n"
		"root, seen as every other user sees them: /etc/shadow and private keys unreadable),\n"
		"fresh /proc (the host's keys and timers hidden) and /dev, empty tmpfs /tmp, /run and\n"
		"$HOME (each capped, sandbox: tmpfs-size; dotfiles from config.yaml read-only), the\n"
		"project's git work tree read-write at its own path, the environment read-only at\n"
		"/opt/venv (empty until 'pylock sync' built it), no capabilities, no_new_privs, a\n"
		"seccomp filter refusing TIOCSTI, TIOCLINUX and the kernel keyring, at most 4096\n"
		"processes (sandbox: processes; memory on request), and a process group of its own (a\n"
		"session of its own without the terminal). With Landlock ABI 6 (Linux 6.12) the\n"
		"command can neither connect to the host's abstract unix sockets nor signal outside;\n"
		"on older kernels, with the network on, the host's abstract sockets (X11, D-Bus) stay\n"
		"reachable (--net=off closes them everywhere). A parent work tree is writable only when\n"
		"its .git is a real git folder of yours and it holds neither $HOME nor pylock's folders.\n"
		"Git metadata is guarded: .git cannot be renamed or replaced, its hooks, config and the\n"
		"hooks path git uses are read-only, and after the command whatever it planted that your\n"
		"next git command would act on (a repository anywhere in the tree, a gitfile, commondir,\n"
		"a submodule's git folder, a rebase todo) is moved aside: exit 2, naming it. A regular\n"
		"file on stdin, stdout or stderr reaches the command through a pipe; the terminal's\n"
		"modes are restored. Bind destinations never pass through a symbolic link. The command\n"
		"runs in the project folder with VIRTUAL_ENV and PATH set; its exit status is pylock's\n"
		"(128+N when killed by signal N; 127 when it is not found). PROJECT is a project folder\n"
		"or a discovered project's name; the default is the project holding the current folder.\n"
		"What the sandbox does not protect: doc/SECURITY.md." CLI_SELECT_HELP,
	.run = run,
	.needs = PROJCTX_CONFIG,
};
