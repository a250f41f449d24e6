#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "trust.h"

static int run(const struct cli_command *self, int argc, char **argv)
{
	struct pl_error err;
	char id[17];

	if (argc != 3 || strcmp(argv[1], "generate"))
		return cli_usage_error(self, "the only action is: generate NAME");
	pl_error_clear(&err);
	if (trust_key_generate(argv[2], id, &err) < 0) {
		cli_print_error(&err);
		return CLI_USAGE;
	}
	printf("%s.key (private, mode 0600) and %s.pub written; key id %s\n", argv[2], argv[2], id);
	return CLI_OK;
}

const struct cli_command cmd_key = {
	.name = "key",
	.usage = "generate NAME",
	.summary = "Make an ECDSA P-256 signing key pair for a registry.",
	.help = "Writes NAME.key (PKCS#8 PEM, mode 0600; an existing key is never overwritten) and\n"
		"NAME.pub, and prints the key id: the first 16 hex digits of the sha256 of the public\n"
		"key's DER SubjectPublicKeyInfo, as 'pylock verify' reports it. List NAME.pub under\n"
		"'keys:' in policy.yaml to trust it.",
	.run = run,
};
