/* pyenv: the Python interpreter an environment is built for — found once,
 * asked about itself once (the answer cached by the interpreter's identity),
 * with its compatible wheel tags computed here in C ("Platform
 * compatibility tags": PEP 425, PEP 600 manylinux with the legacy aliases,
 * abi3) and its marker environment for PEP 508. */
#ifndef PYLOCK_PYENV_H
#define PYLOCK_PYENV_H

#include <stdbool.h>
#include <stddef.h>

#include "pep508.h"
#include "util.h"

struct pyenv {
	char *executable;		/* realpath of the interpreter */
	char *base_prefix;		/* sys.base_prefix */
	char *version;			/* "3.11.2" */
	char xy[16];			/* "3.11" */
	int major, minor;
	char *implementation;		/* sys.implementation.name: "cpython" */
	char *soabi;			/* sysconfig SOABI */
	bool debug, free_threaded;
	char *machine;			/* platform.machine() */
	int glibc_major, glibc_minor;	/* 0.0 without glibc */
	int pointer_bits;
	char *vars[PEP508_VAR_COUNT];	/* the marker environment's strings */
	char **tags;			/* "py3-none-any"..., best first */
	size_t ntags;
};

/* Where the interpreter comes from. pinned is config.yaml's python, the
 * user's own word: a path runs as given. requested is [tool.pylock] python,
 * project content a sandbox can write: a command name, or a path only when
 * it is the pinned one. A command name (requested first, else pinned, else
 * python3) is looked up on PATH among the files boundary_exec_check accepts,
 * the project's tree counting as untrusted; what the interpreter reports as
 * sys.executable passes the same check unless it is the pinned file. */
struct pyenv_source {
	const char *pinned;
	const char *requested;
	const char *requested_file;	/* where requested is written, for errors */
	int line, col;
	const char *project_tree;	/* the tree the project's sandbox writes */
};

int pyenv_find(const struct pyenv_source *src, struct pyenv *py, struct pl_error *err);
/* The same for a project: requested from its [tool.pylock] python. */
struct project;
int pyenv_find_for_project(const struct project *proj, const char *pinned, struct pyenv *py,
			   struct pl_error *err);
/* Describes a given interpreter path (used by pyenv_find). */
int pyenv_load(const char *path, struct pyenv *py, struct pl_error *err);
void pyenv_fini(struct pyenv *py);

/* A marker environment over py's variables (extras and groups empty). */
void pyenv_marker_env(const struct pyenv *py, struct pep508_env *env);

/* Computes the tags (best first) from the fields above; pyenv_load does it.
 * Exposed for tests. */
void pyenv_compute_tags(struct pyenv *py);

/* The rank of a wheel file name for py: 0 is best; -1 when no tag of the
 * file is compatible or the name is not a wheel's (binary-distribution-
 * format: NAME-VER(-BUILD)?-PY-ABI-PLAT.whl, tags compressed with dots). */
long pyenv_wheel_rank(const struct pyenv *py, const char *filename);

/* A stable identity of the interpreter for env-ids: executable, version,
 * implementation, SOABI, platform. */
void pyenv_identity(const struct pyenv *py, struct util_buf *out);

#endif
