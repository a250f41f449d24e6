#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "trust.h"

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = NULL;
	struct pl_error err;
	char id[17];
	int c;

	while ((c = cli_getopt(self, argc, argv, "k:", opts)) != -1) {
		if (c != 'k')
			return CLI_USAGE;
		key = optarg;
	}
	if (!key || optind >= argc)
		return cli_usage_error(self, "needs --key KEY and at least one FILE");
	pl_error_clear(&err);
	for (int i = optind; i < argc; i++) {
		if (trust_sign_file(key, argv[i], id, &err) < 0) {
			cli_print_error(&err);
			return CLI_USAGE;
		}
		printf("%s.sig (key %s)\n", argv[i], id);
	}
	return CLI_OK;
}

const struct cli_command cmd_sign = {
	.name = "sign",
	.usage = "--key KEY FILE...",
	.summary = "Sign files for a registry: FILE.sig beside each.",
	.help = "KEY is a PEM private key: ECDSA P-256 (the signature is base64 DER over the file's\n"
		"SHA-256, as cosign sign-blob and openssl dgst -sha256 -sign make) or Ed25519 (a raw\n"
		"64-byte signature).",
	.run = run,
};
