#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "discover.h"
#include "env.h"
#include "store.h"
#include "yamlconf.h"

struct rows {
	struct discover_project **p;
	size_t n;
	const char *store;	/* for each project's environment state */
};

static const char *env_of(const struct rows *rows, const struct discover_project *p)
{
	return env_state_name(env_state_quick(rows->store, p->path, p->lock_path));
}

static void on_project(struct discover_project *p, bool *taken, void *ctx)
{
	struct rows *rows = ctx;

	rows->p = util_xrealloc(rows->p, (rows->n + 1) * sizeof(*rows->p));
	rows->p[rows->n++] = p;
	*taken = true;
}

static void on_warning(const char *path, const char *why, void *ctx)
{
	fprintf(stderr, "pylock: warning: %s: %s\n", path, why);
}

/* By folder; a project's pylock.toml before its named locks. */
static int by_path(const void *a, const void *b)
{
	const struct discover_project *x = *(struct discover_project *const *)a, *y = *(struct discover_project *const *)b;
	int c = strcmp(x->path, y->path);

	if (!c)
		c = (x->lock_name != NULL) - (y->lock_name != NULL);
	return c || !x->lock_name || !y->lock_name ? c : strcmp(x->lock_name, y->lock_name);
}

/* Paths under the current folder are shown relative to it, the rest from ~. */
static const char *short_path(const char *path, const char *cwd, const char *home, char *buf, size_t size)
{
	size_t n = strlen(cwd), h = home ? strlen(home) : 0;

	if (!strcmp(path, cwd))
		return ".";
	if (n > 1 && !strncmp(path, cwd, n) && path[n] == '/')
		return path + n + 1;
	if (h > 1 && !strncmp(path, home, h) && path[h] == '/') {
		snprintf(buf, size, "~%s", path + h);
		return buf;
	}
	return path;
}

static const char *lock_colour(enum discover_lock l)
{
	switch (l) {
	case DISCOVER_LOCK_CONFLICTED: return "\033[1;31m";
	case DISCOVER_LOCK_MODIFIED: return "\033[33m";
	case DISCOVER_LOCK_STAGED:
	case DISCOVER_LOCK_UNTRACKED: return "\033[36m";
	case DISCOVER_LOCK_CLEAN: return "\033[32m";
	default: return "";
	}
}

/* "dev, test +cli": the groups (and extras) a sync installs by default. */
static bool selection(const struct discover_project *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", p->groups ? p->groups : "", p->extras ? " +" : "", p->extras ? p->extras : "");
	return p->groups || p->extras;
}

static void print_table(const struct rows *rows)
{
	bool colour = isatty(1) && !getenv("NO_COLOR");
	char cwd[4096], buf[4200], sync[32], pkgs[24];
	const char *home = getenv("HOME");
	size_t wn = 4, wb = 6, ws = 4, wg = 0;

	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	for (size_t i = 0; i < rows->n; i++) {
		const struct discover_project *p = rows->p[i];
		char label[300];
		size_t n = strlen(discover_project_label(p, label, sizeof(label))) + (p->worktree_of ? 11 : 0);
		if (n > wn) wn = n;
		if (p->branch && strlen(p->branch) > wb) wb = strlen(p->branch);
		/* A column for what syncs install, when a project chooses. */
		char sel[512];
		if (selection(p, sel, sizeof(sel)) && strlen(sel) > wg) wg = strlen(sel) < 6 ? 6 : strlen(sel);
	}
	if (wg > 30) wg = 30;
	if (wn > 40) wn = 40;
	if (wb > 30) wb = 30;
	ws = 9;
	if (colour)
		cli_raw(stdout, "\033[1m");
	printf("%-*s  %-*s  %-*s  %-10s  %5s  %-7s  ", (int)wn, "NAME", (int)wb, "BRANCH", (int)ws, "UPSTREAM",
	       "LOCK", "PKGS", "ENV");
	if (wg)
		printf("%-*s  ", (int)wg, "GROUPS");
	printf("PATH");
	if (colour)
		cli_raw(stdout, "\033[0m");
	printf("\n");
	for (size_t i = 0; i < rows->n; i++) {
		const struct discover_project *p = rows->p[i];
		char name[256];

		size_t n = strlen(discover_project_label(p, name, sizeof(name)));
		snprintf(name + n, sizeof(name) - n, "%s", p->worktree_of ? " [worktree]" : "");
		if (p->has_upstream)
			snprintf(sync, sizeof(sync), "+%d -%d", p->ahead, p->behind);
		else
			snprintf(sync, sizeof(sync), "%s", p->repo ? "-" : "");
		if (p->packages >= 0)
			snprintf(pkgs, sizeof(pkgs), "%ld", p->packages);
		else
			snprintf(pkgs, sizeof(pkgs), "%s", p->lock_path ? "?" : "-");
		printf("%-*.*s  %-*.*s  %-*s  ", (int)wn, (int)wn, name, (int)wb, (int)wb, p->branch ? p->branch : "",
		       (int)ws, sync);
		if (colour)
			cli_raw(stdout, lock_colour(p->lock));
		printf("%-10s", discover_lock_word(p));
		if (colour && lock_colour(p->lock)[0])
			cli_raw(stdout, "\033[0m");
		printf("  %5s  %-7s  ", pkgs, env_of(rows, p));
		if (wg) {
			char sel[512];
			printf("%-*.*s  ", (int)wg, (int)wg, selection(p, sel, sizeof(sel)) ? sel : "-");
		}
		printf("%s\n", short_path(p->path, cwd, home, buf, sizeof(buf)));
	}
	printf("%zu project%s\n", rows->n, rows->n == 1 ? "" : "s");
}

static void print_json(const struct rows *rows)
{
	json_t *list = json_array();

	for (size_t i = 0; i < rows->n; i++) {
		const struct discover_project *p = rows->p[i];

		const char *env = env_of(rows, p);
		json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o}",
			"name", p->name, "path", p->path, "lock_name", cli_json_str(p->lock_name),
			"repo", cli_json_str(p->repo),
			"branch", cli_json_str(p->branch),
			"ahead", p->has_upstream ? json_integer(p->ahead) : json_null(),
			"behind", p->has_upstream ? json_integer(p->behind) : json_null(),
			"lock", discover_lock_name(p->lock), "source_lock", cli_json_str(p->source_format),
			"packages", p->packages >= 0 ? json_integer(p->packages) : json_null(),
			"env", strcmp(env, "-") ? json_string(env) : json_null(), "worktree_of", cli_json_str(p->worktree_of)));
		json_t *last = json_array_get(list, json_array_size(list) - 1);
		json_object_set_new(last, "groups", cli_json_str(p->groups));
		json_object_set_new(last, "extras", cli_json_str(p->extras));
	}
	json_t *root = json_pack("{s:o}", "projects", list);
	cli_print_json(root);
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct yamlconf_config cfg;
	struct rows rows = { NULL, 0, NULL };
	struct pl_error err;
	bool json = false;
	int c;

	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1) {
		if (c != 'j')
			return CLI_USAGE;
		json = true;
	}
	pl_error_clear(&err);
	if (yamlconf_config_load_default(&cfg, &err) < 0) {
		cli_print_error(&err);
		return CLI_USAGE;
	}
	static const char *const here[] = { "." };
	struct discover_opts d = {
		.roots = optind < argc ? (const char *const *)argv + optind
			 : cfg.roots.n ? (const char *const *)cfg.roots.items : here,
		.nroots = optind < argc ? (size_t)(argc - optind) : cfg.roots.n ? cfg.roots.n : 1,
		.depth = cfg.depth,
		.on_project = on_project,
		.on_warning = on_warning,
		.ctx = &rows,
	};
	int rc = discover_run(&d, &err);
	struct pl_error no_store;
	char *store = store_root(&no_store);
	rows.store = store;
	if (rc == 0) {
		if (rows.n > 1)
			qsort(rows.p, rows.n, sizeof(*rows.p), by_path);
		if (json)
			print_json(&rows);
		else
			print_table(&rows);
	} else
		cli_print_error(&err);
	for (size_t i = 0; i < rows.n; i++)
		discover_project_free(rows.p[i]);
	free(rows.p);
	free(store);
	yamlconf_config_fini(&cfg);
	return rc == 0 ? CLI_OK : CLI_USAGE;
}

const struct cli_command cmd_list = {
	.name = "list",
	.usage = "[--json] [ROOT...]",
	.summary = "List the Python projects found under the roots.",
	.help = "Roots come from the command line, else 'roots:' in config.yaml, else the current\n"
		"folder; folders are walked 'depth:' levels deep (default 5) without following links,\n"
		"skipping hidden folders, node_modules, venv and __pycache__. A repository's projects\n"
		"are read from its index (every tracked pyproject.toml, pylock.toml or\n"
		"pylock.NAME.toml) plus untracked ones in its top folder; submodules are read too.\n"
		"Columns: name, branch (@sha when detached), ahead/behind the upstream, lock state\n"
		"(none, clean, modified, staged, untracked, conflicted; present outside git),\n"
		"locked packages, environment (built, stale: the lock changed since its last sync,\n"
		"missing: its environment was removed, - : never synced), path. A project with\n"
		"pylock.NAME.toml files has a row for each lock, named NAME [LOCK]. GROUPS (when a\n"
		"project has any) is what a sync installs by default: [tool.pylock] groups +extras, else\n"
		"the lock's default-groups. A project whose only lock is another tool's shows its\n"
		"format in LOCK (uv.lock, poetry, pdm, requirements): `pylock import` converts it.\n"
		"--json prints\n"
		"{\"projects\": [{\"name\", \"path\", \"lock_name\", \"repo\", \"branch\", \"ahead\",\n"
		"\"behind\", \"lock\", \"source_lock\", \"packages\", \"env\", \"worktree_of\", \"groups\",\n"
		"\"extras\"}]}.\n"
		"Unreadable folders and\n"
		"broken repositories are skipped with a warning on stderr.",
	.run = run,
};
