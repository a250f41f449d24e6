/* One way to open a project for a command (see projctx.h). */
#include "config.h"
#include "projctx.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

int projctx_open(struct projctx *c, const char *root, unsigned needs, const struct projctx_request *req,
		 struct pl_error *err)
{
	memset(c, 0, sizeof(*c));
	if (req)
		c->req = *req;
	if (!(c->proj = project_load(root, err)) || (c->req.lock && project_choose_lock(c->proj, c->req.lock, err) < 0) ||
	    !(c->store = store_root(err)) || projctx_need(c, needs, err) < 0) {
		projctx_close(c);
		return -1;
	}
	return 0;
}

int projctx_lock_exists(const struct projctx *c, struct pl_error *err)
{
	if (c->proj->several_locks) {
		char *have = project_lock_list(c->proj->root);
		pl_error_set(err, c->proj->root, 0, 0, "this project has several locks (%s): choose one with --lock NAME",
			     have);
		free(have);
		return -1;
	}
	if (access(c->proj->lock_path, F_OK) < 0)
		return pl_error_set(err, c->proj->root, 0, 0, "project '%s' has no pylock.toml (nor a pylock.NAME.toml)",
				    c->proj->name);
	return 0;
}

int projctx_need(struct projctx *c, unsigned parts, struct pl_error *err)
{
	if (parts & PROJCTX_PLAN)
		parts |= PROJCTX_PYTHON | PROJCTX_LOCK;
	/* The interpreter may be config's; fetching follows config's settings. */
	if (parts & (PROJCTX_PYTHON | PROJCTX_POLICY))
		parts |= PROJCTX_CONFIG;
	parts &= ~c->have;
	if (parts & PROJCTX_CONFIG) {
		if (yamlconf_config_load_default(&c->cfg, err) < 0)
			return -1;
		c->have |= PROJCTX_CONFIG;
	}
	if (parts & PROJCTX_POLICY) {
		if (trust_policy_load_project(c->proj->tool_pylock, c->proj->pyproject_path, &c->policy, err) < 0)
			return -1;
		c->have |= PROJCTX_POLICY;
	}
	if (parts & PROJCTX_LOCK) {
		if (projctx_lock_exists(c, err) < 0)
			return -1;
		if (!(c->lock = lock_read(c->proj->lock_path, err)))
			return -1;
		c->req.env.project_groups = toml_get(c->proj->tool_pylock, "groups");
		c->req.env.project_extras = toml_get(c->proj->tool_pylock, "extras");
		c->req.env.project_file = c->proj->pyproject_path;
		if (env_select(c->lock, &c->req.env, &c->sel, err) < 0) {
			lock_free(c->lock);
			c->lock = NULL;
			return -1;
		}
		c->have |= PROJCTX_LOCK;
	}
	if (parts & PROJCTX_PYTHON) {
		if (pyenv_find_for_project(c->proj, c->cfg.python, &c->py, err) < 0)
			return -1;
		c->have |= PROJCTX_PYTHON;
	}
	if (parts & PROJCTX_PLAN) {
		if (env_plan(c->lock, &c->py, &c->sel, &c->plan, err) < 0)
			return -1;
		c->have |= PROJCTX_PLAN;
	}
	return 0;
}

void projctx_close(struct projctx *c)
{
	if (c->have & PROJCTX_PLAN)
		env_plan_fini(&c->plan);
	if (c->have & PROJCTX_PYTHON)
		pyenv_fini(&c->py);
	if (c->have & PROJCTX_POLICY)
		trust_policy_fini(&c->policy);
	lock_free(c->lock);
	project_free(c->proj);
	free(c->store);
	if (c->have & PROJCTX_CONFIG)
		yamlconf_config_fini(&c->cfg);
	memset(c, 0, sizeof(*c));
}

struct registry_options projctx_fetch_options(const struct projctx *c)
{
	return (struct registry_options){
		.ca_file = c->cfg.ca_file, .timeout = c->cfg.fetch_timeout, .deadline = c->cfg.fetch_deadline,
		.hosts = c->cfg.fetch_hosts.items, .nhosts = c->cfg.fetch_hosts.n, .hosts_set = c->cfg.fetch_hosts_set,
		.policy = &c->policy,
	};
}

void projctx_sources(const struct projctx *c, char *const *indexes, size_t n, bool pypi_last,
		     struct projctx_sources *s)
{
	s->urls = util_xcalloc(n + c->policy.nregistries + 1, sizeof(char *));
	s->hosts = util_xcalloc(c->cfg.fetch_hosts.n + n + 2, sizeof(char *));
	s->nurls = s->nhosts = 0;
	for (size_t i = 0; i < n; i++)
		s->urls[s->nurls++] = indexes[i];
	for (size_t i = 0; i < c->policy.nregistries; i++)
		s->urls[s->nurls++] = c->policy.registries[i].url;
	if (!s->nurls && pypi_last)
		s->urls[s->nurls++] = "https://pypi.org/simple";
	if (c->cfg.fetch_hosts_set) {
		for (size_t i = 0; i < c->cfg.fetch_hosts.n; i++)
			s->hosts[s->nhosts++] = util_xstrdup(c->cfg.fetch_hosts.items[i]);
	} else {
		s->hosts[s->nhosts++] = util_xstrdup("pypi.org");
		s->hosts[s->nhosts++] = util_xstrdup("files.pythonhosted.org");
	}
	for (size_t i = 0; i < n; i++) {
		char host[256];
		if (!strncmp(indexes[i], "https://", 8) && util_url_host(indexes[i], host, sizeof(host)))
			s->hosts[s->nhosts++] = util_xstrdup(host);
	}
}

void projctx_sources_fini(struct projctx_sources *s)
{
	for (size_t i = 0; i < s->nhosts; i++)
		free(s->hosts[i]);
	free(s->hosts);
	free(s->urls);
}

struct registry_options projctx_sources_fetch(const struct projctx *c, const struct projctx_sources *s)
{
	struct registry_options o = projctx_fetch_options(c);

	o.hosts = s->hosts;
	o.nhosts = s->nhosts;
	o.hosts_set = true;
	return o;
}

struct admit projctx_admit(const struct projctx *c, struct trust_cache *cache)
{
	return (struct admit){
		.store = c->store, .policy = &c->policy, .cache = cache, .lock_dir = c->proj->root,
		.fetch = projctx_fetch_options(c),
	};
}
