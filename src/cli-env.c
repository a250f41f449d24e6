/* What the environment commands share: project, lock, interpreter, plan. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "store.h"

int cli_env_open(const char *project, bool need_plan, struct cli_env *e, struct pl_error *err)
{
	char *root = NULL;

	memset(e, 0, sizeof(*e));
	if (yamlconf_config_load_default(&e->cfg, err) < 0 || !(root = cli_project_dir(project, err)) ||
	    !(e->proj = project_load(root, err)) || !(e->store = store_root(err))) {
		free(root);
		return -1;
	}
	free(root);
	return need_plan ? cli_env_plan(e, err) : 0;
}

int cli_env_python(struct cli_env *e, struct pl_error *err)
{
	if (pyenv_find_for_project(e->proj, e->cfg.python, &e->py, err) < 0)
		return -1;
	e->has_py = true;
	return 0;
}

int cli_env_plan(struct cli_env *e, struct pl_error *err)
{
	if (access(e->proj->lock_path, F_OK) < 0)
		return pl_error_set(err, e->proj->lock_path, 0, 0, "no lockfile: nothing to build an environment from");
	if (!(e->lock = lock_read(e->proj->lock_path, err)) || cli_env_python(e, err) < 0)
		return -1;
	if (env_plan(e->lock, &e->py, &e->plan, err) < 0)
		return -1;
	e->has_plan = true;
	return 0;
}

void cli_env_close(struct cli_env *e)
{
	if (e->has_plan)
		env_plan_fini(&e->plan);
	if (e->has_py)
		pyenv_fini(&e->py);
	lock_free(e->lock);
	project_free(e->proj);
	free(e->store);
	yamlconf_config_fini(&e->cfg);
	memset(e, 0, sizeof(*e));
}
