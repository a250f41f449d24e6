#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "lock.h"
#include "project.h"

/* FILE, or a project (folder or name; none: the one holding the current
 * folder). Returns the lockfile path, malloc'd. */
static char *lock_path_for(const struct cli_command *self, const char *arg, const struct cli_select *sel,
			   struct pl_error *err)
{
	struct stat st;
	struct projctx c;
	char *path;

	if (arg && stat(arg, &st) == 0 && S_ISREG(st.st_mode))
		return util_xstrdup(arg);
	if (cli_project_open(self, arg, sel, &c, err) < 0)
		return NULL;
	path = projctx_lock_exists(&c, err) == 0 ? util_xstrdup(c.proj->lock_path) : NULL;
	projctx_close(&c);
	return path;
}

static const char *source_label(const struct lock_package *p)
{
	if (p->source != LOCK_SOURCE_FILES)
		return p->source == LOCK_SOURCE_NONE ? "-" : lock_source_name(p->source);
	if (p->nwheels && p->has_sdist)
		return "wheel+sdist";
	return p->nwheels ? "wheel" : "sdist";
}

static const struct lock_file *first_file(const struct lock_package *p)
{
	if (p->nwheels)
		return &p->wheels[0];
	if (p->has_sdist)
		return &p->sdist;
	return p->has_archive ? &p->archive : NULL;
}

static size_t file_count(const struct lock_package *p)
{
	return p->nwheels + p->has_sdist + p->has_archive;
}

static void print_table(const struct lock *lock)
{
	static const char *const head[] = { "NAME", "VERSION", "SOURCE", "FILES", "SHA256", "MARKER" };
	size_t w[4] = { 4, 7, 6, 5 };
	bool color = isatty(1) && !getenv("NO_COLOR");

	for (size_t i = 0; i < lock->npackages; i++) {
		const struct lock_package *p = &lock->packages[i];
		size_t n;

		if ((n = strlen(p->name)) > w[0]) w[0] = n;
		if (p->version && (n = strlen(p->version)) > w[1]) w[1] = n;
		if ((n = strlen(source_label(p))) > w[2]) w[2] = n;
	}
	if (color)
		cli_raw(stdout, "\033[1m");
	printf("%-*s  %-*s  %-*s  %*s  %-12s  %s", (int)w[0], head[0], (int)w[1], head[1], (int)w[2], head[2],
	       (int)w[3], head[3], head[4], head[5]);
	if (color)
		cli_raw(stdout, "\033[0m");
	printf("\n");
	for (size_t i = 0; i < lock->npackages; i++) {
		const struct lock_package *p = &lock->packages[i];
		const struct lock_file *f = first_file(p);
		const char *sha = f ? lock_file_sha256(f) : NULL;

		printf("%-*s  %-*s  %-*s  %*zu  %-12.12s  %s\n", (int)w[0], p->name,
		       (int)w[1], p->version ? p->version : "-", (int)w[2], source_label(p),
		       (int)w[3], file_count(p), sha ? sha : "-", p->marker ? p->marker : "");
	}
	printf("%zu package%s, lock-version %s, created by %s\n", lock->npackages,
	       lock->npackages == 1 ? "" : "s", lock->lock_version, lock->created_by);
}

static json_t *file_json(const char *kind, const struct lock_file *f)
{
	json_t *hashes = json_object();

	for (size_t i = 0; i < f->nhashes; i++)
		json_object_set_new(hashes, f->hashes[i].algo, json_string(f->hashes[i].value));
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "kind", kind, "name", f->name,
			 "url", cli_json_str(f->url), "path", cli_json_str(f->path),
			 "size", f->size >= 0 ? json_integer(f->size) : json_null(), "hashes", hashes);
}

static void print_json(const struct lock *lock)
{
	json_t *packages = json_array();

	for (size_t i = 0; i < lock->npackages; i++) {
		const struct lock_package *p = &lock->packages[i];
		json_t *files = json_array();

		for (size_t k = 0; k < p->nwheels; k++)
			json_array_append_new(files, file_json("wheel", &p->wheels[k]));
		if (p->has_sdist)
			json_array_append_new(files, file_json("sdist", &p->sdist));
		if (p->has_archive)
			json_array_append_new(files, file_json("archive", &p->archive));
		json_array_append_new(packages, json_pack("{s:s, s:o, s:o, s:o, s:s, s:o, s:o}",
			"name", p->name, "version", cli_json_str(p->version), "marker", cli_json_str(p->marker),
			"requires_python", cli_json_str(p->requires_python), "source", source_label(p),
			"index", cli_json_str(p->index), "files", files));
	}
	json_t *root = json_pack("{s:s, s:s, s:o}", "lock_version", lock->lock_version,
				 "created_by", lock->created_by, "packages", packages);
	cli_print_json(root);
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		CLI_LOCK_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_select sel = { .req.lock = NULL };
	struct pl_error err;
	bool json = false;
	char *path;
	struct lock *lock;
	int c;

	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1) {
		if (c == 'j')
			json = true;
		else if (cli_select_option(self, c, optarg, &sel) != 1)
			return CLI_USAGE;
	}
	if (argc - optind > 1)
		return cli_usage_error(self, "takes at most one FILE or PROJECT");
	pl_error_clear(&err);
	if (!(path = lock_path_for(self, optind < argc ? argv[optind] : NULL, &sel, &err))) {
		cli_print_error(&err);
		return CLI_USAGE;
	}
	lock = lock_read(path, &err);
	free(path);
	if (!lock) {
		cli_print_error(&err);
		return CLI_USAGE;
	}
	for (size_t i = 0; i < lock->nwarnings; i++) {
		char buf[2200];
		fprintf(stderr, "pylock: warning: %s\n", pl_error_format(&lock->warnings[i], buf, sizeof(buf)));
	}
	if (json)
		print_json(lock);
	else
		print_table(lock);
	lock_free(lock);
	return CLI_OK;
}

const struct cli_command cmd_show = {
	.name = "show",
	.usage = "[--json] " CLI_LOCK_USAGE " [FILE|PROJECT]",
	.summary = "Show the packages a lockfile pins.",
	.help = "Reads and validates pylock.toml (PEP 751): the given file, the lockfile of the given\n"
		"project folder, or that of the project holding the current folder. Prints one row per\n"
		"package: name, version, source, file count, short sha256, marker; --json prints\n"
		"{\"lock_version\", \"created_by\", \"packages\": [{\"name\", \"version\", \"marker\",\n"
		"\"requires_python\", \"source\", \"index\", \"files\": [...]}]}.\n"
		"Exit status 2 with FILE:LINE:COL when the lockfile is malformed or conflicted.",
	.run = run,
};
