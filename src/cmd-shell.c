#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* $SHELL when the sandbox can see it (it lives under /usr or /bin), else /bin/sh. */
static const char *pick_shell(void)
{
	const char *sh = getenv("SHELL");

	if (sh && (!strncmp(sh, "/usr/", 5) || !strncmp(sh, "/bin/", 5)) && !strstr(sh, "..") &&
	    access(sh, X_OK) == 0)
		return sh;
	return "/bin/sh";
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "net", required_argument, NULL, 'n' },
		CLI_SELECT_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_sandbox_args sa = { 0 };
	const char *shell = pick_shell(), *base;
	char *cmd[2];
	int c, rc;

	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1) {
		int taken = cli_select_option(self, c, optarg, &sa.select);
		if (taken > 0)
			continue;
		if (taken < 0)
			return CLI_USAGE;
		if (c != 'n' || (strcmp(optarg, "off") && strcmp(optarg, "on")))
			return c == 'n' ? cli_usage_error(self, "--net takes 'on' or 'off'") : CLI_USAGE;
		sa.net = !strcmp(optarg, "off") ? 0 : 1;
		sa.net_given = true;
	}
	if (argc - optind > 1)
		return cli_usage_error(self, "takes at most one PROJECT");
	base = strrchr(shell, '/') + 1;
	cmd[0] = (char *)shell;
	cmd[1] = NULL;
	/* The prompt names the project: bash and zsh expand escapes, sh does not. */
	sa.prompt = !strcmp(base, "bash") ? "(pylock:%s) \\u@\\h:\\w\\$ "
		  : !strcmp(base, "zsh") ? "(pylock:%s) %%n@%%m:%%~%%# " : "(pylock:%s) $ ";
	/* bash's startup files (Debian's /etc/bash.bashrc) set PS1 again: put
	 * the marker back before each prompt. */
	if (!strcmp(base, "bash"))
		sa.prompt_command = "case \"$PS1\" in \"(pylock:%s) \"*) ;; *) PS1=\"(pylock:%s) $PS1\";; esac";
	rc = cli_run_sandboxed(self, optind < argc ? argv[optind] : NULL, &sa, cmd);
	cli_sandbox_args_fini(&sa);
	return rc;
}

const struct cli_command cmd_shell = {
	.name = "shell",
	.usage = "[--net=on|off] " CLI_SELECT_USAGE " [PROJECT]",
	.summary = "Open an interactive shell in the project's sandbox.",
	.help = "Starts $SHELL (when it lives under /usr or /bin, else /bin/sh) in the sandbox that\n"
		"'pylock run' describes, with job control, PYLOCK_PROJECT set, the host name\n"
		"pylock-NAME and a prompt that starts with (pylock:NAME). Exit status is the shell's." CLI_SELECT_HELP,
	.run = run,
	.needs = PROJCTX_CONFIG,
};
