/* env: a project's environment, built from its lock: which files this
 * interpreter needs (PEP 751 "Installation"), getting them verified into
 * the store, unpacking each wheel once into wheels/<sha256>/pythonX.Y/, and
 * assembling envs/<env-id>/ from those by hard links — built under a
 * temporary name, renamed into place, two builders of one env-id serialised
 * by a lock file. Also status (missing, built, stale, drifted) and garbage
 * collection. The environment is laid out for /opt/venv. */
#ifndef PYLOCK_ENV_H
#define PYLOCK_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include "editable.h"
#include "lock.h"
#include "pyenv.h"
#include "trust.h"
#include "util.h"

#define ENV_PREFIX "/opt/venv"

struct env_pick {
	const struct lock_package *pkg;
	const struct lock_file *file;		/* the best wheel for the interpreter, or NULL */
	const struct editable *editable;	/* ... or the project folder installed for editing */
	const char *key;			/* its tree in the store: the wheel's sha256, the editable's id */
};

#define ENV_SELECT_MAX 64	/* groups, and extras, one environment installs */

/* What the user asks for of a lock's optional parts (PEP 751 extras and
 * dependency groups): command-line flags over the project's defaults
 * ([tool.pylock] groups / extras), over the lock's default-groups. */
struct env_request {
	const char *const *groups;	/* --group: added to the defaults */
	size_t ngroups;
	const char *const *extras;	/* --extra */
	size_t nextras;
	bool all_groups, all_extras, no_default_groups;
	const struct toml_value *project_groups, *project_extras;	/* arrays, or NULL */
	const char *project_file;	/* where they are written, for errors */
};

/* The groups and extras markers see, in the lock's spelling. */
struct env_selection {
	const char *groups[ENV_SELECT_MAX];
	size_t ngroups;
	const char *extras[ENV_SELECT_MAX];
	size_t nextras;
	bool is_default;		/* the lock's default-groups and no extras: nothing asked */
};

/* Resolves a request against the lock: every group and extra named must be
 * one the lock lists (its dependency-groups, extras), else an error naming
 * those it has. req may be NULL (the defaults). */
int env_select(const struct lock *lock, const struct env_request *req, struct env_selection *sel,
	       struct pl_error *err);
/* "groups dev, test; extras cli" or "default groups" (for status and lists). */
void env_selection_describe(const struct env_selection *sel, struct util_buf *out);

struct env_plan {
	struct env_pick *picks;		/* sorted by package name */
	size_t n;
	size_t skipped;			/* packages whose marker is false */
	struct editable *editables;	/* what editable picks point to */
	size_t neditables;
	struct env_selection sel;	/* the groups and extras it installs */
	char env_id[65];
};

/* Which packages and files are for an interpreter, one at a time (what
 * env_plan and `pylock verify` share). */
struct env_selector {
	struct pep508_env menv;
	const struct pyenv *py;
};
/* Markers see extras and dependency_groups as sel says (sel outlives s). */
void env_selector_init(struct env_selector *s, const struct env_selection *sel, const struct pyenv *py);
/* Whether p's marker holds; *why is set (and false returned) when the
 * marker cannot be read. */
bool env_selector_applies(const struct env_selector *s, const struct lock_package *p, const char **why);
/* p's best wheel for the interpreter by tag priority, NULL when none fits. */
const struct lock_file *env_best_wheel(const struct pyenv *py, const struct lock_package *p);

/* Chooses, for each package whose marker holds under sel (NULL: the lock's
 * defaults), its best wheel by tag priority, or its folder for an editable
 * directory entry. Errors: the lock's requires-python or environments not
 * met, a package's requires-python not met, two entries for one package,
 * packages with no wheel for this interpreter (those that need a build are
 * named together). */
int env_plan(const struct lock *lock, const struct pyenv *py, const struct env_selection *sel, struct env_plan *plan,
	     struct pl_error *err);
void env_plan_fini(struct env_plan *plan);

/* A long operation's progress: phase ("verify", "unpack", "link"), done of
 * total; step, when set, hears the start of each step of a sync ("verify",
 * "unpack", "compile", "publish", "link", "record", "remember", "cache"),
 * once each, from the calling thread (pylock sync --timings). */
struct env_progress {
	void (*report)(void *arg, const char *phase, size_t done, size_t total);
	void *arg;
	void (*step)(void *arg, const char *step);
};

struct admit;

struct env_sync_options {
	const struct admit *admit;	/* how locked files enter the store (its store too) */
	/* The project whose lock this is: remembered (env_remember) while the
	 * store's lock is still held, so that gc never finds the environment
	 * unreferenced; NULL: not remembered. */
	const char *project_root, *lock_path;
	const struct env_progress *progress;	/* may be NULL */
};

/* Makes envs/<env-id> exist, under a shared lock of the store (gc takes it
 * exclusively: nothing a sync made, is making or reports is collected).
 * *built says whether it had to be built (a second sync of the same lock
 * builds nothing). A file the policy does not admit stops the sync before
 * anything is unpacked: err lists them and *refused counts them. */
int env_sync(const struct env_plan *plan, const struct pyenv *py, const struct env_sync_options *o, bool *built,
	     size_t *refused, struct pl_error *err);

/* store/envs/<env-id> (malloc'd). */
char *env_path(const char *store, const char *env_id);

/* Remembers which environment a project's lock last built (for status and
 * gc), and the lock's size and mtime then, in store/projects/. */
int env_remember(const char *store, const char *project_root, const char *lock_path, const char *env_id,
		 struct pl_error *err);

enum env_state { ENV_NEVER, ENV_MISSING, ENV_BUILT, ENV_STALE, ENV_DRIFTED };
const char *env_state_name(enum env_state s);
/* Without reading the lock (for lists of many projects): never synced,
 * built, stale (the lock changed since its last sync), or missing (its
 * environment was removed). No store or no lock_path: never synced. */
enum env_state env_state_quick(const char *store, const char *project_root, const char *lock_path);
/* The env-id last remembered for a project, or NULL. */
char *env_remembered(const char *store, const char *project_root, const char *lock_path);

/* The exact state of a project's environment env_id (its current lock and
 * interpreter's): built; with deep, drifted when a file differs from its
 * RECORD (drifted counts them, first names one); stale when only the
 * environment last remembered (remembered) exists; else missing. */
struct env_status {
	enum env_state state;
	char *remembered;	/* the env-id last synced, or NULL */
	size_t drifted;
	char first[512];
};
int env_status(const char *store, const char *project_root, const char *lock_path, const char *env_id, bool deep,
	       struct env_status *s, struct pl_error *err);
void env_status_fini(struct env_status *s);

/* Files of an environment that differ from their RECORD (hash or size, or
 * missing): the count, and the first one's path in first (may be NULL). */
int env_drift(const char *env_dir, size_t *drifted, char *first, size_t first_len, struct pl_error *err);

/* Holds an environment in use (a shared lock on its lock file) until
 * env_release; gc skips environments in use. */
int env_hold(const char *store, const char *env_id, struct pl_error *err);
void env_release(int fd);

/* Removes environments no remembered project refers to (and projects whose
 * folder is gone), unpacked wheels no kept environment uses, and leftovers
 * of interrupted builds; never an environment in use. report is called for
 * each (kind "env", "wheel" or "partial", path); dry_run only reports. */
int env_gc(const char *store, bool dry_run, void (*report)(void *arg, const char *kind, const char *path),
	   void *arg, struct pl_error *err);

#endif
