/* Syncing a project (see sync.h). */
#include "config.h"
#include "sync.h"

#include <string.h>

#include "admit.h"

int sync_project(struct projctx *c, const struct env_progress *progress, struct sync_result *r,
		 struct pl_error *err)
{
	struct trust_cache *cache = trust_cache_open_default();
	struct admit admit = projctx_admit(c, cache);
	struct env_sync_options o = {
		.admit = &admit, .project_root = c->proj->root, .lock_path = c->proj->lock_path, .progress = progress,
	};
	struct pl_error why;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (registry_check_lock(&admit.fetch, c->lock, err) == 0)
		rc = env_sync(&c->plan, &c->py, &o, &r->built, &r->refused, err);
	if (progress && progress->step)
		progress->step(progress->arg, "cache");
	if (trust_cache_close(cache, &why) < 0)
		pl_error_format(&why, r->cache_why, sizeof(r->cache_why));
	return rc;
}
