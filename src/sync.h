/* sync: a project's environment made from its lock, as pylock sync and the
 * UI's sync make it: the lock's fetch hosts checked before any connection,
 * each chosen file admitted (with the user's hash cache), then env_sync. */
#ifndef PYLOCK_SYNC_H
#define PYLOCK_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "env.h"
#include "projctx.h"

struct sync_result {
	bool built;		/* false: the environment was there already */
	size_t refused;		/* files the policy did not admit (err lists them) */
	char cache_why[1200];	/* the hash cache could not be saved: why (else "") */
};

/* Syncs c's environment (c needs PROJCTX_POLICY and PROJCTX_PLAN).
 * progress, when not NULL, hears each phase with files done of total. */
int sync_project(struct projctx *c, const struct env_progress *progress, struct sync_result *r,
		 struct pl_error *err);

#endif
