/* boundary: what pylock decides on the host about the sandbox's reach.
 * A sandbox writes one tree (its project's, chosen here) and any folder
 * the user binds; whatever lies there is the sandboxed command's choice.
 * A ledger in pylock's data folder lists every tree a sandbox was given,
 * so that the trees of other projects count too, and pylock never runs a
 * file from any of them on the host. */
#ifndef PYLOCK_BOUNDARY_H
#define PYLOCK_BOUNDARY_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The tree a sandbox of the project in dir may write: the git work tree
 * holding dir when its .git is a real git folder (or a gitfile naming one)
 * owned by the caller, and that tree is not shared (sticky or writable by
 * every user) and holds neither $HOME, pylock's own folders nor a shared
 * system folder (/tmp, /var/tmp, /dev/shm, /run); else dir itself. NULL
 * with err when dir itself is such a folder. malloc'd. */
char *boundary_writable_tree(const char *dir, struct pl_error *err);

/* The git folder a one-line file names (a gitfile: prefix "gitdir: "; a
 * commondir: prefix ""), relative names starting at base; resolved,
 * malloc'd; NULL when it names no git folder. */
char *boundary_git_link(const char *file, const char *prefix, const char *base);

/* Whether path lies at or below top (both absolute, resolved). */
bool boundary_path_under(const char *path, const char *top);

/* Records in the ledger that a sandbox may write these trees (absolute,
 * resolved). */
int boundary_ledger_add(const char *const *trees, size_t n, struct pl_error *err);

/* Whether pylock may run path on the host: its resolved file is a regular
 * executable, outside every tree of the ledger and of extra (the current
 * project's), and no folder on the way is writable by every user without
 * the sticky bit. Returns the resolved path (malloc'd), or NULL with err
 * saying why. */
char *boundary_exec_check(const char *path, const char *const *extra, size_t nextra, struct pl_error *err);

/* name looked up on PATH among the files boundary_exec_check accepts
 * (relative entries skipped). malloc'd; NULL with err naming what was
 * skipped. */
char *boundary_exec_search(const char *name, const char *const *extra, size_t nextra, struct pl_error *err);

#endif
