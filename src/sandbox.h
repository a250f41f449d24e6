/* sandbox: pylock's namespace engine. A profile is data (a list of mount
 * operations and what the command sees); sandbox_run() builds the new root
 * from it in an unprivileged user + mount + pid + ipc + uts + cgroup (+ net)
 * namespace, drops every privilege, and runs the command under a small init.
 * The steps are listed in order in sandbox.c, each a function. */
#ifndef PYLOCK_SANDBOX_H
#define PYLOCK_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum sandbox_op_kind {
	SANDBOX_RO_BIND,	/* src read-only at dst, every submount too */
	SANDBOX_SYSTEM_BIND,	/* the same for /usr, /etc: root sees there only what every user may */
	SANDBOX_BIND,		/* src read-write at dst */
	SANDBOX_TMPFS,		/* an empty writable tmpfs at dst */
	SANDBOX_RO_TMPFS,	/* an empty read-only tmpfs at dst */
	SANDBOX_DEV,		/* a minimal /dev at dst */
	SANDBOX_PROC,		/* a fresh /proc at dst */
	SANDBOX_SYMLINK,	/* dst -> src */
	SANDBOX_MASK,		/* dst hidden: an empty file or folder over it, when it exists */
};

struct sandbox_op {
	enum sandbox_op_kind kind;
	char *src;		/* host path (absolute, resolved), or link target */
	char *dst;		/* path inside */
};

struct sandbox_profile {
	struct sandbox_op *ops;		/* executed in order */
	size_t nops;
	bool net_off;			/* a new, empty network namespace (loopback up) */
	long long tmpfs_size;		/* each writable tmpfs, bytes; 0: the kernel's default */
	long processes;			/* at most at once; 0: unbounded */
	long long memory;		/* bytes; 0: unbounded */
	char *hostname;
	char *cwd;			/* working folder inside */
	char **env;			/* NULL-terminated "NAME=value" */
	size_t nenv;
	struct gitguard *guard;		/* the writable trees' git metadata */
};

void sandbox_profile_init(struct sandbox_profile *p);
void sandbox_profile_fini(struct sandbox_profile *p);
void sandbox_profile_add(struct sandbox_profile *p, enum sandbox_op_kind kind,
			 const char *src, const char *dst);
void sandbox_profile_setenv(struct sandbox_profile *p, const char *name, const char *value);

/* What config.yaml's `sandbox:` and the command line add to the default
 * profile. Strings are borrowed. */
/* A bind a user asked for, and where: errors name the config file's line
 * and column, or the option when file is NULL. */
struct sandbox_bind {
	const char *spec;		/* "SRC[:DST]" */
	const char *file;		/* config.yaml, or NULL: the command line */
	int line, col;
};

struct sandbox_settings {
	bool net_off;
	const struct sandbox_bind *binds;	/* read-write */
	size_t nbinds;
	const struct sandbox_bind *ro_binds;	/* read-only */
	size_t nro_binds;
	const char *const *dotfiles;	/* names under $HOME passed read-only */
	size_t ndotfiles;
	const char *const *env_keep;	/* variable names; NAME_* keeps a family */
	size_t nenv_keep;
	long long tmpfs_size;		/* as in struct sandbox_profile */
	long processes;
	long long memory;
};

/* The default profile of DESIGN.md for a project: system read-only, fresh
 * /proc and /dev, tmpfs /tmp, /run and $HOME, the project's work tree
 * read-write, the environment (venv_dir, or an empty folder when NULL)
 * read-only at /opt/venv. Errors name what is wrong (a bind source that does
 * not exist, a bad destination). */
int sandbox_default_profile(struct sandbox_profile *p, const struct sandbox_settings *s,
			    const char *project_dir, const char *project_name,
			    const char *venv_dir, struct pl_error *err);

/* The host folders bound read-write: what the command may write. A
 * malloc'd array of *n pointers into p. */
const char **sandbox_profile_trees(const struct sandbox_profile *p, size_t *n);

/* After the run: what the command changed in the writable trees' git
 * metadata, each finding moved aside and described on a line of report
 * (gitguard.h). Returns the number of findings. */
size_t sandbox_profile_check(struct sandbox_profile *p, struct util_buf *report);

/* Runs argv inside the sandbox and waits for it. *status is the command's
 * exit status, 128+N when signal N killed it. Returns -1 with err when the
 * sandbox could not be built (the step that failed is named). */
int sandbox_run(const struct sandbox_profile *p, char *const argv[], int *status,
		struct pl_error *err);

#endif
