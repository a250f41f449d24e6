#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "jsonw.h"
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

static const char *str(const struct toml_value *t, const char *key)
{
	const struct toml_value *v = toml_get(t, key);

	return v && v->type == TOML_STRING ? v->u.str.ptr : NULL;
}

static bool flag(const struct toml_value *t, const char *key)
{
	const struct toml_value *v = toml_get(t, key);

	return v && v->type == TOML_BOOL && v->u.boolean;
}

/* The source with what identifies it: "vcs git 1a2b3c4d", "directory . editable". */
static void source_detail(const struct lock_package *p, char *buf, size_t size)
{
	if (p->vcs)
		snprintf(buf, size, "vcs %s %.12s", str(p->vcs, "type") ? str(p->vcs, "type") : "?",
			 str(p->vcs, "commit-id") ? str(p->vcs, "commit-id") : "?");
	else if (p->directory)
		snprintf(buf, size, "directory %s%s", str(p->directory, "path"),
			 flag(p->directory, "editable") ? " editable" : "");
	else
		snprintf(buf, size, "%s", source_label(p));
}


static size_t file_count(const struct lock_package *p)
{
	return p->nwheels + p->has_sdist + p->has_archive;
}

static void print_settings(const struct lock *lock)
{
	const struct { const char *name; const struct toml_value *list; } lists[] = {
		{ "environments", lock->environments }, { "extras", lock->extras },
		{ "dependency-groups", lock->dependency_groups }, { "default-groups", lock->default_groups },
	};
	struct util_buf b = UTIL_BUF_INIT;

	if (lock->requires_python)
		printf("%-18s %s\n", "requires-python", lock->requires_python);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (!lists[i].list)
			continue;
		util_buf_truncate(&b, 0);
		toml_join_strings(lists[i].list, &b);
		printf("%-18s %s\n", lists[i].name, util_buf_str(&b));
	}
	util_buf_free(&b);
}

static void print_table(const struct lock *lock)
{
	static const char *const head[] = { "NAME", "VERSION", "SOURCE", "FILES", "SHA256", "MARKER" };
	size_t w[4] = { 4, 7, 6, 5 };
	bool color = isatty(1) && !getenv("NO_COLOR");
	char source[128];

	print_settings(lock);
	for (size_t i = 0; i < lock->npackages; i++) {
		const struct lock_package *p = &lock->packages[i];
		size_t n;

		source_detail(p, source, sizeof(source));
		if ((n = strlen(p->name)) > w[0]) w[0] = n;
		if (p->version && (n = strlen(p->version)) > w[1]) w[1] = n;
		if ((n = strlen(source)) > w[2]) w[2] = n;
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
		const struct lock_file *f = lock_package_first_file(p);
		const char *sha = f ? lock_file_sha256(f) : NULL;

		source_detail(p, source, sizeof(source));
		printf("%-*s  %-*s  %-*s  %*zu  %-12.12s  %s\n", (int)w[0], p->name,
		       (int)w[1], p->version ? p->version : "-", (int)w[2], source,
		       (int)w[3], file_count(p), sha ? sha : "-", p->marker ? p->marker : "");
	}
	printf("%zu package%s, lock-version %s, created by %s\n", lock->npackages,
	       lock->npackages == 1 ? "" : "s", lock->lock_version, lock->created_by);
}

static void json_list(struct jsonw *w, const char *key, const struct toml_value *list)
{
	jsonw_key(w, key);
	if (!list) {
		jsonw_null(w);
		return;
	}
	jsonw_array(w);
	for (uint32_t i = 0; list->type == TOML_ARRAY && i < list->u.array.len; i++)
		if (list->u.array.items[i]->type == TOML_STRING)
			jsonw_string(w, list->u.array.items[i]->u.str.ptr);
	jsonw_end(w, ']');
}

/* A source table's string keys, in the specification's order. */
static void json_table(struct jsonw *w, const char *key, const struct toml_value *t, const char *const *keys)
{
	jsonw_key(w, key);
	if (!t) {
		jsonw_null(w);
		return;
	}
	jsonw_object(w);
	for (size_t i = 0; keys[i]; i++) {
		char name[32];
		snprintf(name, sizeof(name), "%s", keys[i]);
		for (char *c = name; *c; c++)
			*c = *c == '-' ? '_' : *c;
		jsonw_key(w, name);
		if (!strcmp(keys[i], "editable"))
			jsonw_bool(w, flag(t, keys[i]));
		else
			jsonw_string(w, str(t, keys[i]));
	}
	jsonw_end(w, '}');
}

static void file_json(struct jsonw *w, const char *kind, const struct lock_file *f, struct util_buf *tmp)
{
	jsonw_object(w);
	jsonw_key(w, "kind");
	jsonw_string(w, kind);
	jsonw_key(w, "name");
	jsonw_string(w, f->name);
	jsonw_key(w, "url");
	jsonw_string(w, f->url);
	jsonw_key(w, "path");
	jsonw_string(w, f->path);
	jsonw_key(w, "size");
	if (f->size >= 0)
		jsonw_int(w, f->size);
	else
		jsonw_null(w);
	jsonw_key(w, "upload_time");
	util_buf_truncate(tmp, 0);
	if (f->has_upload_time)
		toml_write_datetime(tmp, f->upload_time_type, &f->upload_time);
	jsonw_string(w, f->has_upload_time ? util_buf_str(tmp) : NULL);
	if (!strcmp(kind, "archive")) {
		jsonw_key(w, "subdirectory");
		jsonw_string(w, f->subdirectory);
	}
	jsonw_key(w, "hashes");
	jsonw_object(w);
	for (size_t i = 0; i < f->nhashes; i++) {
		jsonw_key(w, f->hashes[i].algo);
		jsonw_string(w, f->hashes[i].value);
	}
	jsonw_end(w, '}');
	jsonw_end(w, '}');
}

/* Written as it goes (no tree): a 5,000-package lock in tens of ms. */
static void print_json(const struct lock *lock)
{
	static const char *const vcs_keys[] = { "type", "url", "path", "requested-revision", "commit-id",
						"subdirectory", NULL };
	static const char *const dir_keys[] = { "path", "editable", "subdirectory", NULL };
	struct util_buf out = UTIL_BUF_INIT, tmp = UTIL_BUF_INIT;
	struct jsonw w;

	fflush(stdout);
	jsonw_init(&w, &out);
	jsonw_object(&w);
	jsonw_key(&w, "lock_version");
	jsonw_string(&w, lock->lock_version);
	jsonw_key(&w, "created_by");
	jsonw_string(&w, lock->created_by);
	jsonw_key(&w, "requires_python");
	jsonw_string(&w, lock->requires_python);
	json_list(&w, "environments", lock->environments);
	json_list(&w, "extras", lock->extras);
	json_list(&w, "dependency_groups", lock->dependency_groups);
	json_list(&w, "default_groups", lock->default_groups);
	jsonw_key(&w, "packages");
	jsonw_array(&w);
	for (size_t i = 0; i < lock->npackages; i++) {
		const struct lock_package *p = &lock->packages[i];

		jsonw_object(&w);
		jsonw_key(&w, "name");
		jsonw_string(&w, p->name);
		jsonw_key(&w, "version");
		jsonw_string(&w, p->version);
		jsonw_key(&w, "marker");
		jsonw_string(&w, p->marker);
		jsonw_key(&w, "requires_python");
		jsonw_string(&w, p->requires_python);
		jsonw_key(&w, "source");
		jsonw_string(&w, source_label(p));
		jsonw_key(&w, "index");
		jsonw_string(&w, p->index);
		json_table(&w, "vcs", p->vcs, vcs_keys);
		json_table(&w, "directory", p->directory, dir_keys);
		jsonw_key(&w, "files");
		jsonw_array(&w);
		for (size_t k = 0; k < p->nwheels; k++)
			file_json(&w, "wheel", &p->wheels[k], &tmp);
		if (p->has_sdist)
			file_json(&w, "sdist", &p->sdist, &tmp);
		if (p->has_archive)
			file_json(&w, "archive", &p->archive, &tmp);
		jsonw_end(&w, ']');
		jsonw_end(&w, '}');
		/* Out in pieces: the buffer stays small and in cache. jsonw
		 * leaves no control character to filter: written as is. */
		if (out.len > (64u << 10)) {
			util_write_all(1, out.data, out.len);
			util_buf_truncate(&out, 0);
		}
	}
	jsonw_end(&w, ']');
	jsonw_end(&w, '}');
	util_buf_putc(&out, '\n');
	util_write_all(1, out.data, out.len);
	util_buf_free(&out);
	util_buf_free(&tmp);
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
		"package: name, version, source (a vcs entry's type and commit, a directory's path and\n"
		"whether it is editable), file count, short sha256, marker, after the lock's own settings\n"
		"(requires-python, environments, extras, dependency-groups, default-groups); --json prints\n"
		"{\"lock_version\", \"created_by\", \"requires_python\", \"environments\", \"extras\",\n"
		"\"dependency_groups\", \"default_groups\", \"packages\": [{\"name\", \"version\", \"marker\",\n"
		"\"requires_python\", \"source\", \"index\", \"vcs\", \"directory\", \"files\": [...]}]}.\n"
		"Exit status 2 with FILE:LINE:COL when the lockfile is malformed or conflicted.",
	.run = run,
};
