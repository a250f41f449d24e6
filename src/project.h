/* project: a Python project on disk: its folder, pyproject.toml
 * ([project], [dependency-groups], [tool.pylock]) and its lockfile. */
#ifndef PYLOCK_PROJECT_H
#define PYLOCK_PROJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "toml.h"
#include "util.h"

#define PROJECT_MAX_PYPROJECT (16u << 20)

struct project_extra {
	const char *name;
	const char *const *requirements;
	size_t n;
};

struct project {
	char *root;			/* absolute folder */
	char *pyproject_path;		/* NULL when the folder has none */
	char *lock_path;		/* root/pylock.toml (or the one named lock), whether it exists or not */
	bool several_locks;		/* no pylock.toml, and more than one pylock.NAME.toml */
	char *name;			/* [project].name, else the folder's name */
	const char *version;		/* the rest is NULL/empty without pyproject */
	const char *requires_python;
	const char **dependencies;
	size_t ndependencies;
	struct project_extra *extras;	/* [project.optional-dependencies] */
	size_t nextras;
	const struct toml_value *dependency_groups;	/* [dependency-groups], checked */
	const struct toml_value *tool_pylock;		/* [tool.pylock] */
	struct toml_doc *doc;
};

/* pylock.toml or pylock.NAME.toml: the lockfile names of PEP 751. */
bool project_is_lock_name(const char *name);
/* pyproject.toml or a lockfile name. */
bool project_is_project_file(const char *name);
/* Whether the folder holds a project file. */
bool project_dir_is_project(const char *dir);

/* The nearest folder at or above start holding pyproject.toml or
 * pylock.toml (or pylock.NAME.toml). Returns a malloc'd absolute path. */
char *project_locate(const char *start, struct pl_error *err);
/* Reads the project in folder root. Errors name pyproject.toml:LINE:COL.
 * Its lock is pylock.toml, else its only pylock.NAME.toml (with several and
 * no pylock.toml, lock_path is pylock.toml and several_locks is set). */
struct project *project_load(const char *root, struct pl_error *err);
/* The project's lock by name: "dev" for pylock.dev.toml, or a lock file's
 * name or path (it must be in the project's folder). */
int project_choose_lock(struct project *p, const char *name, struct pl_error *err);
/* The lockfile names in folder dir (pylock.toml first, then by name); NULL
 * when none. Free each and the array. */
char **project_lock_names(const char *dir, size_t *n);
/* The same as "pylock.toml, pylock.dev.toml" (for errors), "none" when none. */
char *project_lock_list(const char *dir);
void project_free(struct project *p);

#endif
