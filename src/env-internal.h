/* Shared between env.c, env-build.c and env-gc.c; not part of the API. */
#ifndef PYLOCK_ENV_INTERNAL_H
#define PYLOCK_ENV_INTERNAL_H

#include "env.h"

/* store/locks/<env-id>.lock: builders take it exclusively, sandboxes
 * shared, gc exclusively without waiting. */
char *env_lock_path(const char *store, const char *env_id);
/* Opens and flocks it (how: LOCK_EX, LOCK_SH, | LOCK_NB); -1 with err. */
int env_lock_open(const char *store, const char *env_id, int how, struct pl_error *err);

#endif
