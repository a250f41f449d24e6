/* projctx: what a command needs of one project, opened once and the same
 * way for every front end: the user's config, the project, the store, the
 * project's trust policy (the user's, tightened by [tool.pylock.trust]),
 * its interpreter, its lock and the environment plan. The CLI's commands
 * name the parts they need in their table entry; the UI's tabs open the
 * same context. */
#ifndef PYLOCK_PROJCTX_H
#define PYLOCK_PROJCTX_H

#include <stdbool.h>

#include "admit.h"
#include "env.h"
#include "lock.h"
#include "project.h"
#include "pyenv.h"
#include "trust.h"
#include "util.h"
#include "yamlconf.h"

/* The project and the store's path are always opened; these on request.
 * A command that needs none of them (diff, resolve, show) does not depend
 * on config.yaml being readable. */
enum projctx_part {
	PROJCTX_CONFIG = 1 << 0,	/* the user's config.yaml */
	PROJCTX_POLICY = 1 << 1,	/* the project's trust policy (config too: how files are fetched) */
	PROJCTX_PYTHON = 1 << 2,	/* its interpreter (config too) */
	PROJCTX_LOCK = 1 << 3,		/* its lock, which must exist */
	PROJCTX_PLAN = 1 << 4,		/* the environment plan (python and lock too) */
};

/* What a command line asks of a project: which of its locks (NULL: its
 * pylock.toml, or its only named lock) and which groups and extras. */
struct projctx_request {
	const char *lock;		/* "dev", pylock.dev.toml, or a path to it */
	struct env_request env;
};

struct projctx {
	struct yamlconf_config cfg;
	struct project *proj;
	char *store;
	struct trust_policy policy;
	struct pyenv py;
	struct lock *lock;
	struct env_selection sel;	/* with the lock: the groups and extras asked for */
	struct env_plan plan;
	unsigned have;			/* the parts opened */
	struct projctx_request req;
};

/* Opens the project in folder root with the parts needs names; req (may be
 * NULL) is what the command line asks: the lock, and its groups and extras
 * (added to the project's [tool.pylock] groups / extras). On failure c is
 * closed already. */
int projctx_open(struct projctx *c, const char *root, unsigned needs, const struct projctx_request *req,
		 struct pl_error *err);
/* Adds parts later (a command that needs the interpreter only sometimes).
 * On failure what was open stays open. */
int projctx_need(struct projctx *c, unsigned parts, struct pl_error *err);
void projctx_close(struct projctx *c);
/* Whether c's lock is there: not when the project has several and none
 * was chosen (err lists them), nor when it has none. */
int projctx_lock_exists(const struct projctx *c, struct pl_error *err);
/* How the project's files may be fetched: config.yaml's fetch: settings
 * and the hosts of its policy's registries (c needs PROJCTX_POLICY). */
struct registry_options projctx_fetch_options(const struct projctx *c);
/* The indexes searched: those asked for (--index), then the policy's
 * registries, else PyPI (when pypi_last); and the https hosts they may be
 * fetched from: config's (PyPI's by default) and those of the indexes
 * asked for, which the user named (c needs PROJCTX_POLICY). */
struct projctx_sources {
	char **urls, **hosts;
	size_t nurls, nhosts;
};
void projctx_sources(const struct projctx *c, char *const *indexes, size_t n, bool pypi_last,
		     struct projctx_sources *s);
void projctx_sources_fini(struct projctx_sources *s);
/* projctx_fetch_options, fetching from s's hosts only. */
struct registry_options projctx_sources_fetch(const struct projctx *c, const struct projctx_sources *s);
/* How c's locked files are admitted: its store, policy and fetch options,
 * paths relative to the project; cache may be NULL. */
struct admit projctx_admit(const struct projctx *c, struct trust_cache *cache);

#endif
