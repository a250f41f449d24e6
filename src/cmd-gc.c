#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "store.h"

struct counts {
	bool dry_run;
	size_t n;
};

static void report(void *arg, const char *kind, const char *path)
{
	struct counts *c = arg;

	c->n++;
	printf("%s %-7s %s\n", c->dry_run ? "would remove" : "removed", kind, path);
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct counts counts = { false, 0 };
	struct pl_error err;
	char *store;
	int c, rc;

	while ((c = cli_getopt(self, argc, argv, "n", opts)) != -1) {
		if (c != 'n')
			return CLI_USAGE;
		counts.dry_run = true;
	}
	if (optind < argc)
		return cli_usage_error(self, "takes no arguments");
	if (!(store = store_root(&err))) {
		cli_print_error(&err);
		return CLI_USAGE;
	}
	rc = env_gc(store, counts.dry_run, report, &counts, &err);
	free(store);
	if (rc < 0) {
		cli_print_error(&err);
		return CLI_USAGE;
	}
	printf("%zu item%s %s\n", counts.n, counts.n == 1 ? "" : "s", counts.dry_run ? "would be removed" : "removed");
	return CLI_OK;
}

const struct cli_command cmd_gc = {
	.name = "gc",
	.usage = "[-n|--dry-run]",
	.summary = "Remove environments and unpacked wheels no known project uses.",
	.help = "Known projects are those pylock sync has built, while their folder exists. Their\n"
		"last environments and the unpacked wheels those use are kept; so is any environment a\n"
		"running sandbox holds, and any build in progress. Leftovers of interrupted builds go\n"
		"too. Verified downloads (blobs) are kept. --dry-run lists without removing.",
	.run = run,
};
