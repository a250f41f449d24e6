/* editable: a project folder installed for editing without running a build
 * backend, the way pdm-backend's and flit's `.pth` editables work (what
 * PEP 660's build_editable would give, made by pylock): a .pth naming the
 * import root (src/ when the folder has one, else the folder), a .dist-info
 * with METADATA from [project] (name, version, summary, requires-python,
 * dependencies, extras), INSTALLER, RECORD, direct_url.json (PEP 610:
 * dir_info editable), entry_points.txt, and the scripts of [project.scripts]
 * and [project.gui-scripts]. The project's code is never copied, so edits
 * show at once; only the files above are written, all from pylock's own
 * templates (nothing from the folder is run). */
#ifndef PYLOCK_EDITABLE_H
#define PYLOCK_EDITABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct editable_file {
	char *path;		/* relative to the environment's root */
	struct util_buf data;
	bool exec;
};

struct editable {
	char *dir;		/* the project folder, absolute and real */
	char *name, *version;
	char id[65];		/* sha256 of what it installs: its tree's name in the store */
	struct editable_file *files;
	size_t nfiles;
};

/* Describes the editable install of the project in dir (relative paths
 * start at base), which must be inside base (the sandbox sees no other
 * folder) and hold a pyproject.toml whose [project] name is name. version
 * is the lock's (NULL: [project].version, else "0+editable" when the
 * version is dynamic). pyxy ("3.11") and prefix ("/opt/venv") say where it
 * will be installed. Errors name the file and place. */
int editable_open(const char *base, const char *dir, const char *name, const char *version, const char *pyxy,
		  const char *prefix, struct editable *e, struct pl_error *err);
/* Writes its files under dest (an empty folder). */
int editable_install(const struct editable *e, const char *dest, struct pl_error *err);
void editable_fini(struct editable *e);

#endif
