#include "config.h"
#include <jansson.h>

#include "cli.h"
#include "boundary.h"
#include "discover.h"
#include "lockdiff.h"
#include "pep508.h"
#include "project.h"
#include "sandbox.h"
#include "yamlconf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const struct cli_command cmd_diff, cmd_help, cmd_key, cmd_list, cmd_merge_driver,
	cmd_resolve, cmd_run, cmd_shell, cmd_show, cmd_sign, cmd_verify, cmd_sync, cmd_status, cmd_gc, cmd_ui,
	cmd_lock, cmd_upgrade, cmd_add, cmd_remove, cmd_import,
	cmd_policy;

const struct cli_command *const cli_commands[] = {
	&cmd_ui,
	&cmd_list,
	&cmd_show,
	&cmd_diff,
	&cmd_resolve,
	&cmd_merge_driver,
	&cmd_verify,
	&cmd_lock,
	&cmd_add,
	&cmd_remove,
	&cmd_upgrade,
	&cmd_import,
	&cmd_sync,
	&cmd_status,
	&cmd_gc,
	&cmd_run,
	&cmd_shell,
	&cmd_policy,
	&cmd_key,
	&cmd_sign,
	&cmd_help,
	NULL,
};

const struct cli_command *cli_find(const char *name)
{
	for (size_t i = 0; cli_commands[i]; i++)
		if (!strcmp(cli_commands[i]->name, name))
			return cli_commands[i];
	return NULL;
}

size_t cli_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row;
	size_t result;

	if (la > 64 || lb > 64)
		return (size_t)-1;
	row = util_xcalloc(lb + 1, sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	result = row[lb];
	free(row);
	return result;
}

/* A suggestion is only worth showing when it is close relative to the word. */
static bool close_enough(const char *typed, const char *known, size_t d)
{
	size_t n = strlen(typed);

	return d <= 2 && d < n && (d <= n / 2 || !strncmp(typed, known, 1));
}

size_t cli_warn_broken_deps(const struct lockdiff_merge *m, const char *path)
{
	struct lockdiff_broken *broken;
	size_t n = lockdiff_merge_broken(m, &broken);

	for (size_t i = 0; i < n; i++) {
		struct util_buf b = UTIL_BUF_INIT;
		lockdiff_broken_text(&broken[i], &b);
		fprintf(stderr, "pylock: warning: %s: %s\n", path, util_buf_str(&b));
		util_buf_free(&b);
	}
	lockdiff_broken_free(broken, n);
	return n;
}

void cli_print_json(json_t *root)
{
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(root);
}

json_t *cli_json_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

void cli_print_error(const struct pl_error *err)
{
	char buf[2200];

	fprintf(stderr, "pylock: %s\n", pl_error_format(err, buf, sizeof(buf)));
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pylock %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: pylock %s %s\n", cmd->name, cmd->usage);
	return CLI_USAGE;
}

static void suggest_option(const char *typed, const struct option *longopts)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	char word[128];

	snprintf(word, sizeof(word), "%s", typed);
	word[strcspn(word, "=")] = '\0';
	for (size_t i = 0; longopts && longopts[i].name; i++) {
		size_t d = cli_distance(word, longopts[i].name);

		if (d < best_d) {
			best_d = d;
			best = longopts[i].name;
		}
	}
	if (best && close_enough(word, best, best_d))
		fprintf(stderr, "; did you mean '--%s'?", best);
}

int cli_getopt(const struct cli_command *cmd, int argc, char **argv,
	       const char *shortopts, const struct option *longopts)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c != '?')
		return c;
	const char *arg = argv[optind - 1];
	fprintf(stderr, "pylock %s: ", cmd->name);
	if (optopt && strchr(shortopts, optopt))
		fprintf(stderr, "option '-%c' needs a value", optopt);
	else if (!strncmp(arg, "--", 2)) {
		const char *name = arg + 2;
		bool known = false;

		for (size_t i = 0; longopts && longopts[i].name; i++)
			if (!strncmp(longopts[i].name, name, strcspn(name, "=")) &&
			    longopts[i].has_arg == required_argument)
				known = true;
		if (known)
			fprintf(stderr, "option '%s' needs a value", arg);
		else {
			fprintf(stderr, "unknown option '%s'", arg);
			suggest_option(name, longopts);
		}
	} else
		fprintf(stderr, "unknown option '-%c'", optopt ? optopt : '?');
	fprintf(stderr, "\nusage: pylock %s %s\n", cmd->name, cmd->usage);
	return '?';
}

static void suggest_command(const char *typed)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;

	for (size_t i = 0; cli_commands[i]; i++) {
		size_t d = cli_distance(typed, cli_commands[i]->name);

		if (d < best_d) {
			best_d = d;
			best = cli_commands[i]->name;
		}
	}
	if (best && close_enough(typed, best, best_d))
		fprintf(stderr, "pylock: did you mean 'pylock %s'?\n", best);
}

static const char *const global_options[] = { "--help", "--version", NULL };

/* ---- what reaches the terminal ----
 *
 * Everything the CLI prints passes through guarded_write(): a lock, a
 * project, an index or a git repository can hold escape sequences that
 * would retitle the terminal or write its clipboard (OSC 52), and the CLI
 * prints their strings in many places. pylock's own colours go past it
 * (cli_raw). */

struct guarded {
	int fd;
	char tail[4];		/* an unfinished UTF-8 sequence, kept for the next write */
	size_t ntail;
};

static struct guarded guards[] = { { .fd = 1 }, { .fd = 2 } };

static void guarded_flush(struct guarded *g, const char *buf, size_t size, bool final)
{
	struct util_buf in = UTIL_BUF_INIT, out = UTIL_BUF_INIT;
	size_t took;

	util_buf_add(&in, g->tail, g->ntail);
	util_buf_add(&in, buf, size);
	took = util_escape_controls(in.data ? in.data : "", in.len, final, &out);
	g->ntail = in.len - took;
	memcpy(g->tail, in.data + took, g->ntail);
	util_write_all(g->fd, out.data, out.len);
	util_buf_free(&in);
	util_buf_free(&out);
}

static ssize_t guarded_write(void *cookie, const char *buf, size_t size)
{
	guarded_flush(cookie, buf, size, false);
	return (ssize_t)size;
}

static void guards_done(void)
{
	fflush(stdout);
	fflush(stderr);
	for (size_t i = 0; i < sizeof(guards) / sizeof(guards[0]); i++)
		if (guards[i].ntail)
			guarded_flush(&guards[i], "", 0, true);
}

static void guard_output(void)
{
	cookie_io_functions_t io = { .write = guarded_write };
	FILE *out = fopencookie(&guards[0], "w", io), *err = fopencookie(&guards[1], "w", io);

	if (!out || !err) {
		if (out)
			fclose(out);
		if (err)
			fclose(err);
		return;
	}
	setvbuf(out, NULL, isatty(1) ? _IOLBF : _IOFBF, BUFSIZ);
	setvbuf(err, NULL, _IOLBF, BUFSIZ);
	stdout = out;
	stderr = err;
	atexit(guards_done);
}

void cli_raw(FILE *f, const char *text)
{
	fflush(f);
	util_write_all(f == stderr ? 2 : 1, text, strlen(text));
}

int cli_main(int argc, char **argv)
{
	const struct cli_command *cmd;
	const char *name;

	guard_output();
	if (argc < 2) {
		char *ui[] = { argv[0], "ui", NULL };
		return cli_find("ui")->run(cli_find("ui"), 2, ui);
	}
	name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		name = "help";
	else if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		printf("pylock %s\n", PACKAGE_VERSION);
		return CLI_OK;
	} else if (name[0] == '-') {
		const char *best = NULL;
		size_t best_d = (size_t)-1;

		for (size_t i = 0; global_options[i]; i++) {
			size_t d = cli_distance(name, global_options[i]);
			if (d < best_d) {
				best_d = d;
				best = global_options[i];
			}
		}
		fprintf(stderr, "pylock: unknown option '%s'", name);
		if (best && close_enough(name, best, best_d))
			fprintf(stderr, "; did you mean '%s'?", best);
		fprintf(stderr, "\n");
		return CLI_USAGE;
	}
	cmd = cli_find(name);
	if (!cmd) {
		fprintf(stderr, "pylock: '%s' is not a pylock command; see 'pylock --help'\n", name);
		suggest_command(name);
		return CLI_USAGE;
	}
	optind = 1;
	return cmd->run(cmd, argc - 1, argv + 1);
}

struct name_search {
	char want[PEP508_MAX_NAME];
	char **found;
	size_t n;
};

static void match_name(struct discover_project *p, bool *taken, void *ctx)
{
	struct name_search *s = ctx;
	char norm[PEP508_MAX_NAME];

	if (strlen(p->name) >= sizeof(norm))
		return;
	pep508_normalize_name(p->name, norm);
	if (strcmp(norm, s->want))
		return;
	s->found = util_xrealloc(s->found, (s->n + 1) * sizeof(*s->found));
	s->found[s->n++] = util_xstrdup(p->path);
}

void cli_progress_bar(void *arg, const char *phase, size_t done, size_t total)
{
	int width = 30, filled = total ? (int)(done * (size_t)width / total) : width;
	char line[128];

	(void)arg;
	snprintf(line, sizeof(line), "\r%-7s [%.*s%*s] %zu/%zu%s", phase, filled, "##############################",
		 width - filled, "", done, total, done == total ? "\r\033[K" : "");
	cli_raw(stderr, line);
}

int cli_select_option(const struct cli_command *cmd, int c, const char *arg, struct cli_select *s)
{
	struct env_request *r = &s->req.env;

	r->groups = s->groups;
	r->extras = s->extras;
	switch (c) {
	case CLI_OPT_GROUP:
	case CLI_OPT_EXTRA: {
		size_t *n = c == CLI_OPT_GROUP ? &r->ngroups : &r->nextras;
		if (*n == ENV_SELECT_MAX) {
			cli_usage_error(cmd, "at most %d of --%s", ENV_SELECT_MAX, c == CLI_OPT_GROUP ? "group" : "extra");
			return -1;
		}
		(c == CLI_OPT_GROUP ? s->groups : s->extras)[(*n)++] = arg;
		return 1;
	}
	case CLI_OPT_ALL_GROUPS:
		r->all_groups = true;
		return 1;
	case CLI_OPT_ALL_EXTRAS:
		r->all_extras = true;
		return 1;
	case CLI_OPT_NO_DEFAULT_GROUPS:
		r->no_default_groups = true;
		return 1;
	case CLI_OPT_LOCK:
		s->req.lock = arg;
		return 1;
	default:
		return 0;
	}
}

int cli_project_open(const struct cli_command *cmd, const char *project, const struct cli_select *sel,
		     struct projctx *c, struct pl_error *err)
{
	struct projctx_request req = { .lock = NULL };
	const char *base = project && strrchr(project, '/') ? strrchr(project, '/') + 1 : project;
	struct stat st;
	char *root;
	int rc;

	memset(c, 0, sizeof(*c));
	if (sel)
		req = sel->req;
	/* A lock file names its project (its folder) and itself. */
	if (project && project_is_lock_name(base) && stat(project, &st) == 0 && S_ISREG(st.st_mode)) {
		root = base == project ? util_xstrdup(".") : util_xstrndup(project, (size_t)(base - project - 1));
		if (!*root) {
			free(root);
			root = util_xstrdup("/");
		}
		req.lock = req.lock ? req.lock : project;
	} else {
		root = cli_project_dir(project, err);
	}
	rc = root ? projctx_open(c, root, cmd->needs, &req, err) : -1;

	free(root);
	return rc;
}

char *cli_project_dir(const char *arg, struct pl_error *err)
{
	struct yamlconf_config cfg;
	struct name_search s = { .n = 0 };
	struct stat st;
	char *dir = NULL;

	if (!arg)
		return project_locate(".", err);
	if (stat(arg, &st) == 0 || strchr(arg, '/') || strlen(arg) >= sizeof(s.want)) {
		if (stat(arg, &st) < 0) {
			pl_error_errno(err, arg, "not a project folder");
			return NULL;
		}
		if (!S_ISDIR(st.st_mode)) {
			pl_error_set(err, arg, 0, 0, "not a project folder: not a folder");
			return NULL;
		}
		return util_xstrdup(arg);
	}
	/* A name: look among the projects under the configured roots. */
	if (yamlconf_config_load_default(&cfg, err) < 0)
		return NULL;
	static const char *const here[] = { "." };
	pep508_normalize_name(arg, s.want);
	struct discover_opts d = {
		.roots = cfg.roots.n ? (const char *const *)cfg.roots.items : here,
		.nroots = cfg.roots.n ? cfg.roots.n : 1,
		.depth = cfg.depth,
		.on_project = match_name,
		.ctx = &s,
	};
	discover_run(&d, err);
	if (s.n == 1)
		dir = util_xstrdup(s.found[0]);
	else if (s.n == 0)
		pl_error_set(err, NULL, 0, 0, "no project folder or project named '%s' (looked under %s)", arg,
			     cfg.roots.n ? "the roots in config.yaml" : "the current folder");
	else
		pl_error_set(err, NULL, 0, 0, "%zu projects are named '%s' (%s, %s%s); give a path", s.n, arg,
			     s.found[0], s.found[1], s.n > 2 ? ", ..." : "");
	for (size_t i = 0; i < s.n; i++)
		free(s.found[i]);
	free(s.found);
	yamlconf_config_fini(&cfg);
	return dir;
}

void cli_sandbox_args_bind(struct cli_sandbox_args *a, const char *spec, bool ro)
{
	char ***list = ro ? &a->ro_binds : &a->binds;
	size_t *n = ro ? &a->nro_binds : &a->nbinds;

	*list = util_xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = util_xstrdup(spec);
}

void cli_sandbox_args_fini(struct cli_sandbox_args *a)
{
	for (size_t i = 0; i < a->nbinds; i++)
		free(a->binds[i]);
	for (size_t i = 0; i < a->nro_binds; i++)
		free(a->ro_binds[i]);
	free(a->binds);
	free(a->ro_binds);
}

/* Config binds first, then the command line's. */
/* The config file's binds (with their places), then the command line's. */
static struct sandbox_bind *joined(const struct yamlconf_list *cfg, const char *file, char **cli, size_t ncli)
{
	struct sandbox_bind *all = util_xcalloc(cfg->n + ncli + 2, sizeof(*all));

	for (size_t i = 0; i < cfg->n; i++)
		all[i] = (struct sandbox_bind){ cfg->items[i], file, cfg->lines[i], cfg->cols[i] };
	for (size_t i = 0; i < ncli; i++)
		all[cfg->n + i] = (struct sandbox_bind){ cli[i], NULL, 0, 0 };
	return all;
}

/* The environment of the project's lock, when built: its folder, held (a
 * shared lock gc respects) for as long as the sandbox runs. */
static char *built_env(struct projctx *e, int *hold, char **python_prefix)
{
	struct pl_error err;
	char *path;

	*hold = -1;
	*python_prefix = NULL;
	if (access(e->proj->lock_path, F_OK) < 0)
		return NULL;
	if (projctx_need(e, PROJCTX_PLAN, &err) < 0) {
		fprintf(stderr, "pylock: no environment (/opt/venv is empty): ");
		cli_print_error(&err);
		return NULL;
	}
	path = env_path(e->store, e->plan.env_id);
	if (access(path, F_OK) < 0 || (*hold = env_hold(e->store, e->plan.env_id, &err)) < 0) {
		fprintf(stderr, "pylock: %s: the environment of this lock is not built (pylock sync); /opt/venv is "
			"empty\n", e->proj->name);
		free(path);
		return NULL;
	}
	/* The environment's bin/python points at the interpreter: an
	 * interpreter outside /usr (pyenv, conda) must be visible too. */
	if (strncmp(e->py.base_prefix, "/usr/", 5) && strcmp(e->py.base_prefix, "/usr"))
		*python_prefix = util_xstrdup(e->py.base_prefix);
	return path;
}

/* The project's name as a shell prompt may show it: a folder's name can hold
 * $(...), quotes or % that bash or zsh would run or expand. */
static char *prompt_name(const char *name)
{
	char *safe = util_xstrdup(name);

	for (char *c = safe; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
			*c = '_';
	return safe;
}

int cli_run_sandboxed(const struct cli_command *self, const char *project, const struct cli_sandbox_args *a,
		      char **cmd)
{
	struct projctx e;
	struct sandbox_profile prof;
	struct pl_error err;
	char *venv = NULL, *python_prefix = NULL;
	struct sandbox_bind *binds = NULL, *ro_binds = NULL;
	int status = CLI_USAGE, hold = -1;

	pl_error_clear(&err);
	sandbox_profile_init(&prof);
	/* Which environment is meant must be clear: a project with several
	 * locks and none chosen is not run in an empty one. */
	if (cli_project_open(self, project, &a->select, &e, &err) < 0 ||
	    (e.proj->several_locks && projctx_lock_exists(&e, &err) < 0))
		goto fail;
	venv = built_env(&e, &hold, &python_prefix);
	binds = joined(&e.cfg.binds, e.cfg.path, a->binds, a->nbinds);
	ro_binds = joined(&e.cfg.ro_binds, e.cfg.path, a->ro_binds, a->nro_binds);
	size_t nro = e.cfg.ro_binds.n + a->nro_binds;
	if (python_prefix)
		ro_binds[nro++] = (struct sandbox_bind){ python_prefix, NULL, 0, 0 };
	struct sandbox_settings s = {
		.net_off = a->net_given ? !a->net : e.cfg.net_off,
		.binds = binds, .nbinds = e.cfg.binds.n + a->nbinds,
		.ro_binds = ro_binds, .nro_binds = nro,
		.dotfiles = (const char *const *)e.cfg.dotfiles.items, .ndotfiles = e.cfg.dotfiles.n,
		.env_keep = (const char *const *)e.cfg.env.items, .nenv_keep = e.cfg.env.n,
		.tmpfs_size = e.cfg.tmpfs_size, .processes = e.cfg.processes, .memory = e.cfg.memory,
	};
	if (sandbox_default_profile(&prof, &s, e.proj->root, e.proj->name, venv, &err) < 0)
		goto fail;
	if (a->prompt) {
		struct util_buf b = UTIL_BUF_INIT;
		char *name = prompt_name(e.proj->name);

		util_buf_printf(&b, a->prompt, name);
		sandbox_profile_setenv(&prof, "PS1", b.data);
		if (a->prompt_command) {
			util_buf_truncate(&b, 0);
			util_buf_printf(&b, a->prompt_command, name, name);
			sandbox_profile_setenv(&prof, "PROMPT_COMMAND", b.data);
		}
		util_buf_free(&b);
		free(name);
	}
	size_t ntrees;
	const char **trees = sandbox_profile_trees(&prof, &ntrees);
	if (boundary_ledger_add(trees, ntrees, &err) < 0) {
		char buf[2200];
		fprintf(stderr, "pylock: warning: %s\n", pl_error_format(&err, buf, sizeof(buf)));
	}
	free(trees);
	if (sandbox_run(&prof, cmd, &status, &err) < 0)
		goto fail;
	struct util_buf report = UTIL_BUF_INIT;
	if (sandbox_profile_check(&prof, &report)) {
		fprintf(stderr, "pylock: the sandboxed command changed git metadata that your next git command would "
			"act on; pylock moved it aside:\n%s", report.data);
		status = CLI_USAGE;
	}
	util_buf_free(&report);
	goto out;
fail:
	cli_print_error(&err);
	status = CLI_USAGE;
out:
	env_release(hold);
	free(binds);
	free(ro_binds);
	free(venv);
	free(python_prefix);
	sandbox_profile_fini(&prof);
	projctx_close(&e);
	return status;
}
