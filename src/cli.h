/* cli: the command table and what every command shares (option parsing,
 * error reporting). The only part of src/ that prints and exits. */
#ifndef PYLOCK_CLI_H
#define PYLOCK_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "projctx.h"
#include "relock.h"
#include "util.h"

/* Exit codes (DESIGN.md): a failed check is 1, bad usage or input is 2. */
enum { CLI_OK = 0, CLI_CHECK_FAILED = 1, CLI_USAGE = 2 };

struct cli_command {
	const char *name;
	const char *usage;	/* the arguments, after "pylock NAME" */
	const char *summary;	/* one line, for --help and the man page */
	const char *help;	/* what `pylock help NAME` adds */
	int (*run)(const struct cli_command *cmd, int argc, char **argv);
	unsigned needs;		/* enum projctx_part: what cli_project_open opens */
};

/* NULL-terminated, in the order --help lists them. */
extern const struct cli_command *const cli_commands[];

int cli_main(int argc, char **argv);
const struct cli_command *cli_find(const char *name);

/* getopt_long without getopt's own messages: an unknown option is reported
 * with the closest known one. Returns the option, -1 at the end of options,
 * or '?' after printing the error (the caller returns CLI_USAGE). */
int cli_getopt(const struct cli_command *cmd, int argc, char **argv,
	       const char *shortopts, const struct option *longopts);

/* stdout and stderr show control characters escaped (util_escape_controls);
 * text (pylock's own colours, the progress bar) goes to the terminal as it
 * is, after what f holds. */
void cli_raw(FILE *f, const char *text);
/* A one-line bar on stderr, redrawn in place (an env_progress report). */
void cli_progress_bar(void *arg, const char *phase, size_t done, size_t total);

/* Prints "pylock: FILE:LINE:COL: message" to stderr. */
void cli_print_error(const struct pl_error *err);
/* Prints "pylock NAME: message" and a usage line; returns CLI_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* --group G, --extra E, --all-groups, --all-extras, --no-default-groups:
 * which of a lock's optional parts sync, status, verify, run and shell
 * install or check. CLI_SELECT_OPTIONS goes into a command's option table,
 * cli_select_option takes what getopt returns for one. */
enum { CLI_OPT_GROUP = 0x100, CLI_OPT_EXTRA, CLI_OPT_ALL_GROUPS, CLI_OPT_ALL_EXTRAS, CLI_OPT_NO_DEFAULT_GROUPS,
       CLI_OPT_LOCK };
/* --lock NAME: which of a project's locks (every project command). */
#define CLI_LOCK_OPTION { "lock", required_argument, NULL, CLI_OPT_LOCK }
#define CLI_LOCK_USAGE "[--lock NAME]"
#define CLI_SELECT_OPTIONS \
	CLI_LOCK_OPTION, \
	{ "group", required_argument, NULL, CLI_OPT_GROUP }, \
	{ "extra", required_argument, NULL, CLI_OPT_EXTRA }, \
	{ "all-groups", no_argument, NULL, CLI_OPT_ALL_GROUPS }, \
	{ "all-extras", no_argument, NULL, CLI_OPT_ALL_EXTRAS }, \
	{ "no-default-groups", no_argument, NULL, CLI_OPT_NO_DEFAULT_GROUPS }
#define CLI_SELECT_USAGE CLI_LOCK_USAGE " [--group G]... [--extra E]... [--all-groups] [--all-extras] " \
	"[--no-default-groups]"
#define CLI_SELECT_HELP \
	"\n--lock NAME works on pylock.NAME.toml (or a lock's path) instead of pylock.toml.\n" \
	"--group G and --extra E (repeatable) add a dependency group or extra of the lock's to the\n" \
	"defaults ([tool.pylock] groups and extras in pyproject.toml, else the lock's default-groups);\n" \
	"--all-groups and --all-extras take every one the lock lists, --no-default-groups drops the\n" \
	"defaults. Each selection is an environment of its own."
struct cli_select {
	const char *groups[ENV_SELECT_MAX], *extras[ENV_SELECT_MAX];
	struct projctx_request req;
};
/* 1 when c is a selection option (taken into s), 0 when not one, -1 when
 * one too many was given (said, with the usage). */
int cli_select_option(const struct cli_command *cmd, int c, const char *arg, struct cli_select *s);

/* What `run` and `shell` take from their command line, merged over the
 * `sandbox:` settings of config.yaml. */
struct cli_sandbox_args {
	bool net_given;
	int net;			/* 1 on, 0 off */
	char **binds, **ro_binds;
	size_t nbinds, nro_binds;
	const char *prompt;		/* printf format for PS1 with the project name */
	const char *prompt_command;	/* same, for bash's PROMPT_COMMAND */
	struct cli_select select;
};

void cli_sandbox_args_bind(struct cli_sandbox_args *a, const char *spec, bool ro);
void cli_sandbox_args_fini(struct cli_sandbox_args *a);
/* Runs cmd in the sandbox of project (a folder; NULL: the project holding
 * the current folder), its lock's environment at /opt/venv when built
 * (else an empty folder, with a warning). Returns the command's exit status, or CLI_USAGE
 * after printing why the sandbox could not be made. */
int cli_run_sandboxed(const struct cli_command *self, const char *project, const struct cli_sandbox_args *a,
		      char **cmd);

/* The folder of PROJECT as commands take it (DESIGN.md, "CLI"): a path, the
 * name of a project discovered under the configured roots, or (NULL) the
 * project holding the current folder. malloc'd; NULL with err. */
char *cli_project_dir(const char *arg, struct pl_error *err);

/* What changed between two locks, a line per package, as `pylock diff`
 * says it, and the count. */
struct lockdiff;
void cli_print_lockdiff(const struct lockdiff *d);

/* `pylock lock` and what edits the declaration first (add, remove,
 * upgrade): resolves the project's pyproject.toml into its lock, written
 * atomically, and says what changed. argv holds the options of
 * CLI_LOCK_OPTIONS; upgrade lifts the locked versions' preference (all of
 * them, or the names given). */
#define CLI_RELOCK_USAGE "[--index URL]... [--env MARKER]... [--prerelease] [--allow-unverified]"
struct cli_relock {
	char *indexes[RELOCK_MAX_INDEXES], *envs[32], *upgrade[64];
	size_t nindexes, nenvs, nupgrade;
	bool upgrade_all, prerelease, allow_unverified;
};
/* 1 when c is one of the relock options (taken into r), 0 when not one, -1
 * after saying what is wrong. */
int cli_relock_option(const struct cli_command *cmd, int c, const char *arg, struct cli_relock *r);
enum { CLI_OPT_INDEX = 0x200, CLI_OPT_ENV, CLI_OPT_PRERELEASE, CLI_OPT_ALLOW_UNVERIFIED, CLI_OPT_UPGRADE,
       CLI_OPT_UPGRADE_PACKAGE };
#define CLI_RELOCK_OPTIONS \
	{ "index", required_argument, NULL, CLI_OPT_INDEX }, \
	{ "env", required_argument, NULL, CLI_OPT_ENV }, \
	{ "prerelease", no_argument, NULL, CLI_OPT_PRERELEASE }, \
	{ "allow-unverified", no_argument, NULL, CLI_OPT_ALLOW_UNVERIFIED }
int cli_relock_project(const char *project, const char *lock_name, const struct cli_relock *r);
/* add and remove: each of args applied by edit to the text of PROJECT's
 * pyproject.toml (NULL: the project holding the current folder), the
 * result written and relocked; the old text is written back when no lock
 * can be made, and nothing is written when an edit fails. */
typedef int (*cli_pyproject_edit)(const char *text, size_t len, const char *path, const char *arg, void *ctx,
				  struct util_buf *out, struct pl_error *err);
int cli_edit_pyproject(const struct cli_command *self, const char *project, const char *lock,
		       const struct cli_relock *r, char **args, int nargs, cli_pyproject_edit edit, void *ctx);

/* Warns about each dependency a merged lock no longer satisfies ("alpha
 * 2.0 needs beta 2.0; the lock has beta 1.5"); returns how many. */
struct lockdiff_merge;
size_t cli_warn_broken_deps(const struct lockdiff_merge *m, const char *path);

/* --json output: one object, pretty-printed, in insertion order; consumed. */
struct json_t;
void cli_print_json(struct json_t *root);
/* A JSON string, or null for NULL. */
struct json_t *cli_json_str(const char *s);

/* The project PROJECT names (as cli_project_dir takes it), opened with
 * the parts the command's table entry needs and the groups and extras sel
 * asks for (NULL: the defaults). */
int cli_project_open(const struct cli_command *cmd, const char *project, const struct cli_select *sel,
		     struct projctx *c, struct pl_error *err);

/* Edit distance, for "did you mean" suggestions. */
size_t cli_distance(const char *a, const char *b);

#endif
