#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lock.h"
#include "lockdiff.h"
#include "lockimport.h"

enum { OPT_GROUP = 256, OPT_ALL_GROUPS, OPT_NO_DEFAULT_GROUPS, OPT_EXTRA, OPT_ALL_EXTRAS, OPT_FROM, OPT_CHECK, OPT_INDEX };

struct import_args {
	const char *from, *output;
	bool check;
	const char **groups, **extras;
	char *indexes[16];
	size_t nindexes;
	struct lockimport_options o;
};

static int option(const struct cli_command *self, int c, struct import_args *a)
{
	switch (c) {
	case OPT_FROM:
		a->from = optarg;
		return 1;
	case 'o':
		a->output = optarg;
		return 1;
	case OPT_CHECK:
		a->check = true;
		return 1;
	case OPT_INDEX:
		if (a->nindexes == sizeof(a->indexes) / sizeof(*a->indexes))
			return cli_usage_error(self, "takes at most %zu --index", a->nindexes);
		if (strncmp(optarg, "https://", 8) && strncmp(optarg, "file://", 7))
			return cli_usage_error(self, "--index %.200s: only https:// and file:// indexes are read", optarg);
		a->indexes[a->nindexes++] = optarg;
		return 1;
	case OPT_GROUP:
		a->groups = util_xrealloc(a->groups, (a->o.ngroups + 1) * sizeof(*a->groups));
		a->groups[a->o.ngroups++] = optarg;
		return 1;
	case OPT_EXTRA:
		a->extras = util_xrealloc(a->extras, (a->o.nextras + 1) * sizeof(*a->extras));
		a->extras[a->o.nextras++] = optarg;
		return 1;
	case OPT_ALL_GROUPS:
		a->o.all_groups = true;
		return 1;
	case OPT_NO_DEFAULT_GROUPS:
		a->o.no_default_groups = true;
		return 1;
	case OPT_ALL_EXTRAS:
		a->o.all_extras = true;
		return 1;
	default:
		return CLI_USAGE;
	}
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, OPT_FROM },
		{ "output", required_argument, NULL, 'o' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ "all-groups", no_argument, NULL, OPT_ALL_GROUPS },
		{ "no-default-groups", no_argument, NULL, OPT_NO_DEFAULT_GROUPS },
		{ "extra", required_argument, NULL, OPT_EXTRA },
		{ "all-extras", no_argument, NULL, OPT_ALL_EXTRAS },
		{ "index", required_argument, NULL, OPT_INDEX },
		{ NULL, 0, NULL, 0 },
	};
	struct import_args a = { .from = NULL };
	struct util_buf out = UTIL_BUF_INIT, target = UTIL_BUF_INIT;
	struct pl_error err;
	char *dir = NULL, *found = NULL;
	struct lock *next = NULL, *old = NULL;
	struct lockimport_fetch fetch = { .open = false };
	int c, rc = CLI_USAGE;

	while ((c = cli_getopt(self, argc, argv, "o:", opts)) != -1)
		if (option(self, c, &a) != 1)
			goto out;
	if (argc - optind > 1) {
		rc = cli_usage_error(self, "takes at most one PROJECT");
		goto out;
	}
	a.o.groups = a.groups;
	a.o.extras = a.extras;
	pl_error_clear(&err);
	if (!(dir = cli_project_dir(optind < argc ? argv[optind] : NULL, &err)))
		goto fail;
	if (!a.from) {
		enum lockimport_format f;
		if (!(found = lockimport_find(dir, &f))) {
			pl_error_set(&err, dir, 0, 0, "has no uv.lock, poetry.lock, pdm.lock or requirements.txt to import");
			goto fail;
		}
		a.from = found;
	}
	if (a.output && !strcmp(a.output, "-") && a.check) {
		rc = cli_usage_error(self, "--check compares with a file: not with -o -");
		goto out;
	}
	if (a.output)
		util_buf_puts(&target, a.output);
	else
		util_buf_printf(&target, "%s/pylock.toml", dir);
	if (lockimport_fetch_open(&fetch, dir, lockimport_format_of(a.from), a.indexes, a.nindexes, &a.o, &err) < 0 ||
	    !(next = lockimport_file(a.from, &a.o, &out, &err)))
		goto fail;
	if (a.output && !strcmp(a.output, "-")) {
		fwrite(out.data, 1, out.len, stdout);
		rc = CLI_OK;
		goto out;
	}
	if (lockdiff_lock_at(NULL, NULL, NULL, target.data, &old, &err) < 0)
		goto fail;
	struct lockdiff d;
	lockdiff_diff(old, next, &d);
	if (a.check) {
		if (d.n) {
			printf("%s no longer matches %s:\n", target.data, a.from);
			cli_print_lockdiff(&d);
		} else
			printf("%s matches %s\n", target.data, a.from);
		rc = d.n ? CLI_CHECK_FAILED : CLI_OK;
		lockdiff_fini(&d);
		goto out;
	}
	if (util_write_atomic(target.data, out.data, out.len, 0644, &err) < 0) {
		lockdiff_fini(&d);
		goto fail;
	}
	printf("imported %s into %s (%zu packages)\n", a.from, target.data, next->npackages);
	cli_print_lockdiff(&d);
	lockdiff_fini(&d);
	rc = CLI_OK;
	goto out;
fail:
	cli_print_error(&err);
out:
	lockimport_fetch_fini(&fetch);
	lock_free(next);
	lock_free(old);
	util_buf_free(&out);
	util_buf_free(&target);
	free(dir);
	free(found);
	free(a.groups);
	free(a.extras);
	return rc;
}

const struct cli_command cmd_import = {
	.name = "import",
	.usage = "[--from FILE] [--group G]... [--all-groups] [--no-default-groups] [--extra E]... [--all-extras] "
		 "[--index URL]... [-o FILE|-] [--check] [PROJECT]",
	.summary = "Convert uv.lock, poetry.lock, pdm.lock or a hashed requirements file into pylock.toml.",
	.help = "Reads the project's uv.lock, poetry.lock, pdm.lock or requirements.txt (in that order;\n"
		"or --from FILE) and writes the PEP 751 lock it says, nothing resolved: the same\n"
		"packages, versions, files and hashes, each marked by when the source would install it.\n"
		"uv.lock: the graph walked from the project as `uv export` does. poetry.lock (2.1) and\n"
		"pdm.lock (inherit_metadata): the groups each package records; older ones (Poetry 1's\n"
		"2.0, PDM's other strategies) are walked from pyproject.toml. Groups: the project's own\n"
		"always, the default ones (uv and PDM: dev; Poetry: every group not optional) unless\n"
		"--no-default-groups, and --group/--all-groups; extras with --extra/--all-extras. The\n"
		"project's groups and extras stay PEP 751 markers ('dev' in dependency_groups, 'x' in\n"
		"extras): groups installed by default, extras when sync is asked for them.\n"
		"requirements*.txt: name==version pins with --hash,\n"
		"markers, -i/--index-url, --extra-index-url; an unpinned or unhashed line is an error.\n"
		"Files the last three name without a URL are looked up on the package's own index, the\n"
		"file's, each --index URL, the policy's registries, else PyPI (file:// mirrors work\n"
		"offline), and taken only when the page lists that hash; a hash no index lists is an\n"
		"error naming the file. Written atomically to the project's pylock.toml (-o FILE, or -\n"
		"for standard output), with what changed. --check writes nothing and exits 1, saying\n"
		"what differs, when pylock.toml no longer matches its source (for CI).",
	.run = run,
};
