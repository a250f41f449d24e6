/* From a project's declaration to a lock: see lockgen.h. One solve per
 * environment; a package's extra is a package of its own ("alpha[socks]"),
 * which depends on exactly the same version of alpha, as in uv. */
#include "config.h"
#include "lockgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pep508.h"
#include "pubgrub.h"

#define MAX_GROUP_DEPTH 32

/* ---- environments ---- */

struct env {
	const char *marker;		/* as the user wrote it; NULL: this interpreter */
	char *label;			/* the marker the lock records */
	char *vars[PEP508_VAR_COUNT];
	struct pep508_env menv;
	struct pyenv tags;		/* the interpreter's, or one made for the marker */
	bool own_tags, on_linux;
	struct pep440_version python;	/* python_full_version */
};

/* `VAR == 'value'` pins in a marker (either side), which define the
 * environment it stands for. */
static void marker_pins(const char *m, char **vars)
{
	for (int v = 0; v < PEP508_VAR_COUNT; v++) {
		const char *name = pep508_var_name((enum pep508_var)v);
		size_t nl = strlen(name);
		for (const char *p = strstr(m, name); p; p = strstr(p + 1, name)) {
			if ((p > m && (p[-1] == '_' || ((p[-1] | 0x20) >= 'a' && (p[-1] | 0x20) <= 'z'))) || p[nl] == '_')
				continue;
			const char *q = p + nl;
			while (*q == ' ')
				q++;
			if (strncmp(q, "==", 2) || q[2] == '=')
				continue;
			q += 2;
			while (*q == ' ')
				q++;
			char quote = *q;
			const char *end = quote == '\'' || quote == '"' ? strchr(q + 1, quote) : NULL;
			if (!end)
				continue;
			free(vars[v]);
			vars[v] = util_xstrndup(q + 1, (size_t)(end - q - 1));
		}
	}
}

static void set_var(char **vars, enum pep508_var v, const char *value)
{
	free(vars[v]);
	vars[v] = util_xstrdup(value);
}

static int env_init(struct env *e, const struct pyenv *py, const char *marker, struct pl_error *err)
{
	char *pinned[PEP508_VAR_COUNT] = { 0 };
	const char *why;
	size_t at;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	e->marker = marker;
	for (int v = 0; v < PEP508_VAR_COUNT; v++)
		e->vars[v] = util_xstrdup(py->vars[v] ? py->vars[v] : "");
	e->tags = *py;
	if (marker) {
		struct pep508_marker *m = pep508_parse(marker, &why, &at);
		if (!m)
			return pl_error_set(err, "--env", 1, (int)at + 1, "not a marker: %s", why);
		marker_pins(marker, pinned);
		/* What the pinned variables imply for the others. */
		const char *plat = pinned[PEP508_SYS_PLATFORM];
		if (plat) {
			bool win = !strcmp(plat, "win32"), mac = !strcmp(plat, "darwin");
			set_var(e->vars, PEP508_PLATFORM_SYSTEM, win ? "Windows" : mac ? "Darwin" : "Linux");
			set_var(e->vars, PEP508_OS_NAME, win ? "nt" : "posix");
		}
		if (pinned[PEP508_PYTHON_VERSION] && !pinned[PEP508_PYTHON_FULL_VERSION]) {
			char full[64];
			snprintf(full, sizeof(full), "%.40s.0", pinned[PEP508_PYTHON_VERSION]);
			set_var(e->vars, PEP508_PYTHON_FULL_VERSION, full);
			set_var(e->vars, PEP508_IMPLEMENTATION_VERSION, full);
		}
		if (pinned[PEP508_PYTHON_FULL_VERSION] && !pinned[PEP508_PYTHON_VERSION]) {
			char xy[64];
			const char *d1 = strchr(pinned[PEP508_PYTHON_FULL_VERSION], '.');
			const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
			snprintf(xy, sizeof(xy), "%.*s", d2 ? (int)(d2 - pinned[PEP508_PYTHON_FULL_VERSION]) : 40,
				 pinned[PEP508_PYTHON_FULL_VERSION]);
			set_var(e->vars, PEP508_PYTHON_VERSION, xy);
		}
		if (pinned[PEP508_IMPLEMENTATION_NAME])
			set_var(e->vars, PEP508_PLATFORM_PYTHON_IMPLEMENTATION,
				!strcmp(pinned[PEP508_IMPLEMENTATION_NAME], "pypy") ? "PyPy" : "CPython");
		for (int v = 0; v < PEP508_VAR_COUNT; v++)
			if (pinned[v]) {
				free(e->vars[v]);
				e->vars[v] = pinned[v];
				pinned[v] = NULL;
			}
		for (int v = 0; v < PEP508_VAR_COUNT; v++)
			e->menv.vars[v] = e->vars[v];
		bool holds = pep508_eval(m, &e->menv);
		pep508_free(m);
		if (!holds) {
			pl_error_set(err, "--env", 1, 1, "'%.200s' names no environment pylock can make from it: pin "
				     "its variables with == (python_version == '3.12' and sys_platform == 'linux')", marker);
			goto out;
		}
		e->label = util_xstrdup(marker);
	}
	for (int v = 0; v < PEP508_VAR_COUNT; v++)
		e->menv.vars[v] = e->vars[v];
	if (!marker) {
		struct util_buf b = UTIL_BUF_INIT;
		util_buf_printf(&b, "sys_platform == '%s' and platform_machine == '%s' and implementation_name == '%s' "
				"and python_version == '%s'", e->vars[PEP508_SYS_PLATFORM], e->vars[PEP508_PLATFORM_MACHINE],
				e->vars[PEP508_IMPLEMENTATION_NAME], e->vars[PEP508_PYTHON_VERSION]);
		e->label = util_buf_steal(&b);
	}
	if (pep440_parse(e->vars[PEP508_PYTHON_FULL_VERSION], &e->python, &why) < 0) {
		pl_error_set(err, "--env", 1, 1, "python_full_version '%.40s' is not a version: %s",
			     e->vars[PEP508_PYTHON_FULL_VERSION], why);
		goto out;
	}
	e->on_linux = !strcmp(e->vars[PEP508_SYS_PLATFORM], "linux");
	if (marker) {
		/* Wheel tags for the environment's Python and machine. */
		e->own_tags = true;
		e->tags.tags = NULL;
		e->tags.ntags = 0;
		e->tags.major = (int)(e->python.nrelease > 0 ? e->python.release[0] : 3);
		e->tags.minor = (int)(e->python.nrelease > 1 ? e->python.release[1] : 0);
		e->tags.machine = e->vars[PEP508_PLATFORM_MACHINE];
		pyenv_compute_tags(&e->tags);
	}
	rc = 0;
out:
	for (int v = 0; v < PEP508_VAR_COUNT; v++)
		free(pinned[v]);
	return rc;
}

static void env_fini(struct env *e)
{
	for (int v = 0; v < PEP508_VAR_COUNT; v++)
		free(e->vars[v]);
	if (e->own_tags) {
		for (size_t i = 0; i < e->tags.ntags; i++)
			free(e->tags.tags[i]);
		free(e->tags.tags);
	}
	free(e->label);
}

/* Whether a wheel installs in e: by the tags of e's Python on Linux; for
 * another platform, pure-Python wheels and those of its platform family. */
static bool env_wheel_ok(const struct env *e, const char *filename)
{
	if (e->on_linux)
		return pyenv_wheel_rank(&e->tags, filename) >= 0;
	const char *plat = strrchr(filename, '-');
	const char *platform = e->vars[PEP508_SYS_PLATFORM];
	if (!plat)
		return false;
	plat++;
	if (!strcmp(plat, "any.whl"))
		return pyenv_wheel_rank(&e->tags, filename) >= 0;
	char cp[16];
	snprintf(cp, sizeof(cp), "-cp%d%d-", e->tags.major, e->tags.minor);
	bool family = (!strcmp(platform, "win32") && !strncmp(plat, "win", 3)) ||
		      (!strcmp(platform, "darwin") && !strncmp(plat, "macosx_", 7));
	return family && (strstr(filename, cp) || strstr(filename, "-abi3-"));
}

/* ---- one solve ---- */

/* What root requirements and package entries are reached from: the
 * project's dependencies, an extra, or a dependency group. */
struct activator {
	char kind;		/* 'm' main, 'e' extra, 'g' group */
	char *name;		/* normalised */
};

struct node {
	struct cand_project *proj;	/* NULL for the root */
	char *extra;			/* NULL: the package itself */
	bool allow_pre;
	/* Versions tried, and of those the usable ones: what the solver
	 * learnt of them (forbidden, or their dependencies) stays learnt, so
	 * a version chosen again after backtracking costs nothing. */
	uint64_t *tried, *usable;
};

struct root_edge {
	size_t activator;
	int node;
};

struct forbid {
	char *reason;
	struct pubgrub_set set;
};

struct solve {
	const struct lockgen_options *o;
	struct env *env;
	const struct activator *acts;
	size_t nacts;
	struct pubgrub *s;
	struct node *nodes;
	size_t nnodes;
	struct root_edge *edges;
	size_t nedges;
	struct forbid *forbids;
	size_t nforbids;
	struct pl_error *err;
	bool failed, root_added;
};

/* The solver's package for a project (extra NULL) or one of its extras
 * (normalised), registered on first use. */
static int node_of(struct solve *sv, struct cand_project *p, const char *extra)
{
	for (size_t i = 1; i < sv->nnodes; i++)
		if (sv->nodes[i].proj == p && util_str_equal(sv->nodes[i].extra, extra))
			return (int)i;
	const char **versions = util_xcalloc(p->n ? p->n : 1, sizeof(char *));
	struct util_buf label = UTIL_BUF_INIT;
	for (size_t i = 0; i < p->n; i++)
		versions[i] = p->versions[i].text;
	util_buf_printf(&label, extra ? "%s[%s]" : "%s", p->name, extra);
	int id = pubgrub_add_package(sv->s, label.data, versions, p->n);
	util_buf_free(&label);
	free(versions);
	sv->nodes = util_xrealloc(sv->nodes, (sv->nnodes + 1) * sizeof(*sv->nodes));
	sv->nodes[sv->nnodes++] = (struct node){ .proj = p, .extra = extra ? util_xstrdup(extra) : NULL,
						 .tried = util_xcalloc(p->n / 64 + 1, sizeof(uint64_t)),
						 .usable = util_xcalloc(p->n / 64 + 1, sizeof(uint64_t)) };
	return id;
}

/* A requirement's dependency edges from (from, v): its project and each
 * of its extras. *targets (may be NULL) gets the nodes. */
static void require(struct solve *sv, int from, int v, const struct cand_requirement *r, int *targets,
		    size_t *ntargets)
{
	int base = node_of(sv, r->proj, NULL);

	sv->nodes[base].allow_pre |= r->pre;
	for (size_t i = 0; i <= r->nextras; i++) {
		int id = i ? node_of(sv, r->proj, r->extras[i - 1]) : base;
		if (id == from)
			continue;
		struct pubgrub_set set = pubgrub_set_new(sv->s, id);
		memcpy(set.bits, r->allowed, (r->proj->n / 64 + 1) * sizeof(uint64_t));
		pubgrub_depend(sv->s, from, v, id, &set, r->text);
		pubgrub_set_free(&set);
		if (targets)
			targets[(*ntargets)++] = id;
	}
}

static void forbid(struct solve *sv, int node, size_t v, const char *reason)
{
	size_t i;

	for (i = 0; i < sv->nforbids && strcmp(sv->forbids[i].reason, reason); i++)
		;
	if (i == sv->nforbids) {
		sv->forbids = util_xrealloc(sv->forbids, (i + 1) * sizeof(*sv->forbids));
		sv->forbids[i] = (struct forbid){ util_xstrdup(reason), pubgrub_set_new(sv->s, node) };
		sv->nforbids++;
	}
	pubgrub_set_add(&sv->forbids[i].set, v);
}

static void flush_forbids(struct solve *sv, int node)
{
	for (size_t i = 0; i < sv->nforbids; i++) {
		pubgrub_forbid(sv->s, node, &sv->forbids[i].set, sv->forbids[i].reason);
		pubgrub_set_free(&sv->forbids[i].set);
		free(sv->forbids[i].reason);
	}
	sv->nforbids = 0;
}

/* The file a version would be installed from in this environment: its
 * best wheel the policy admits. NULL with why when there is none. */
static struct cand_file *usable_file(struct solve *sv, struct cand_project *p, struct cand_version *v,
				     struct util_buf *why)
{
	struct cand_file *best = NULL, *any = NULL;
	long best_rank = -1;
	bool sdist = false;
	struct trust_result tr = { 0 };

	for (size_t i = 0; i < v->nfiles; i++) {
		struct cand_file *f = &v->files[i];
		if (!f->wheel) {
			sdist = true;
			continue;
		}
		if ((f->link->yanked && !v->yanked) || !env_wheel_ok(sv->env, f->link->filename))
			continue;
		any = f;
		long rank = sv->env->on_linux ? pyenv_wheel_rank(&sv->env->tags, f->link->filename) : 0;
		if (!candidates_admitted(sv->o->cands, p, v, f, best ? NULL : &tr))
			continue;
		if (!best || rank < best_rank) {
			best = f;
			best_rank = rank;
		}
	}
	if (best)
		return best;
	if (any)
		util_buf_printf(why, "is not admitted by the trust policy (%s: %s)", trust_status_name(tr.status),
				tr.reason);
	else if (sdist)
		util_buf_puts(why, "has only an sdist for this environment (pylock installs wheels)");
	else
		util_buf_printf(why, "has no wheel for %s", sv->env->label);
	return NULL;
}

static bool python_ok(const struct env *e, const char *requires, struct util_buf *why)
{
	struct pep440_specset set;
	const char *err;

	if (!requires || !*requires)
		return true;
	if (pep440_specset_parse(requires, &set, &err) < 0) {
		util_buf_printf(why, "has a Requires-Python that is not a specifier ('%.60s')", requires);
		return false;
	}
	if (pep440_specset_contains(&set, &e->python))
		return true;
	util_buf_printf(why, "requires Python %.60s", requires);
	return false;
}

/* The Requires-Dist entries of v that apply to node (its extra's, or the
 * package's own) in this environment: -1 with why when v cannot be used,
 * -2 on err. */
static int version_deps(struct solve *sv, const struct node *node, struct cand_version *v,
			const struct cand_requirement ***out, size_t *n, struct util_buf *why)
{
	struct pep508_env me = sv->env->menv;
	int rc = candidates_requirements(sv->o->cands, v, why, sv->err);

	*out = NULL;
	*n = 0;
	if (rc < 0)
		return rc;
	*out = util_xcalloc(v->nreqs ? v->nreqs : 1, sizeof(**out));
	for (size_t i = 0; i < v->nreqs; i++) {
		const struct cand_requirement *r = &v->reqs[i];
		me.vars[PEP508_EXTRA] = node->extra ? node->extra : "";
		bool wanted = !r->marker || pep508_eval(r->marker, &me);
		/* An extra's node takes what only the extra adds. */
		if (wanted && node->extra) {
			me.vars[PEP508_EXTRA] = "";
			wanted = r->marker && !pep508_eval(r->marker, &me);
		}
		if (!wanted)
			continue;
		if (r->url) {
			util_buf_printf(why, "depends on a direct URL ('%.80s'), which pylock does not lock yet", r->text);
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
		(*out)[(*n)++] = r;
	}
	return 0;
}

/* Whether version i of node can be used (1, 0 with why), its
 * dependencies added when so; -1 on err. */
static int try_version(struct solve *sv, int id, size_t i, struct util_buf *why)
{
	struct cand_project *p = sv->nodes[id].proj;
	struct cand_version *v = &p->versions[i];
	struct cand_file *f = usable_file(sv, p, v, why);
	const struct cand_requirement **deps;
	size_t n;

	if (!f || !python_ok(sv->env, f->link->requires_python, why))
		return 0;
	if (candidates_metadata(sv->o->cands, p, v, f) < 0) {
		util_buf_printf(why, "cannot be used: %s", v->meta_error);
		return 0;
	}
	if (!python_ok(sv->env, v->meta.requires_python, why))
		return 0;
	int rc = version_deps(sv, &sv->nodes[id], v, &deps, &n, why);
	if (rc < 0)
		return rc == -2 ? -1 : 0;
	if (sv->nodes[id].extra) {
		/* alpha[socks] 1.0 is alpha 1.0 with more. */
		int base = node_of(sv, p, NULL);
		struct pubgrub_set one = pubgrub_set_new(sv->s, base);
		char text[PEP508_MAX_NAME + 80];
		pubgrub_set_add(&one, i);
		snprintf(text, sizeof(text), "%s==%s", p->name, v->text);
		pubgrub_depend(sv->s, id, (int)i, base, &one, text);
		pubgrub_set_free(&one);
	}
	for (size_t k = 0; k < n; k++)
		require(sv, id, (int)i, deps[k], NULL, NULL);
	free(deps);
	return 1;
}

/* The previous lock's version of a project, when it applies here. */
static const char *preferred(const struct solve *sv, const struct cand_project *p)
{
	const struct lockgen_options *o = sv->o;

	if (!o->previous || o->upgrade_all)
		return NULL;
	for (size_t i = 0; i < o->nupgrade; i++) {
		char norm[PEP508_MAX_NAME];
		if (strlen(o->upgrade[i]) < sizeof(norm)) {
			pep508_normalize_name(o->upgrade[i], norm);
			if (!strcmp(norm, p->name))
				return NULL;
		}
	}
	for (size_t i = 0; i < o->previous->npackages; i++) {
		const struct lock_package *lp = &o->previous->packages[i];
		if (!lp->version || strcmp(lp->norm_name, p->name))
			continue;
		if (lp->marker) {
			const char *why;
			size_t at;
			struct pep508_marker *m = pep508_parse(lp->marker, &why, &at);
			bool holds = m && pep508_eval(m, &sv->env->menv);
			pep508_free(m);
			if (!holds)
				continue;
		}
		return lp->version;
	}
	return NULL;
}

/* Root: every requirement of the project, its extras and groups. */
static int add_root(struct solve *sv);

static int choose(void *ctx, struct pubgrub *s, int id, const struct pubgrub_set *allowed)
{
	struct solve *sv = ctx;
	struct util_buf why = UTIL_BUF_INIT;

	(void)s;
	if (id == PUBGRUB_ROOT) {
		if (sv->root_added)
			return 0;
		sv->root_added = true;
		return add_root(sv) < 0 ? -2 : 0;
	}
	struct node *node = &sv->nodes[id];
	struct cand_project *p = node->proj;
	int base = node->extra ? node_of(sv, p, NULL) : id;
	bool pre = sv->o->prerelease || sv->nodes[id].allow_pre || (base >= 0 && sv->nodes[base].allow_pre);
	const char *want = preferred(sv, p);
	size_t *order = util_xmalloc((p->n + 1) * sizeof(size_t)), n = 0;
	int chosen = -1;

	/* The locked version, then the newest; pre-releases after every
	 * final release unless asked for (or the only ones left). */
	for (size_t i = 0; want && i < p->n; i++)
		if (!strcmp(p->versions[i].text, want) && pubgrub_set_has(allowed, i))
			order[n++] = i;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = p->n; i-- > 0;) {
			bool is_pre = pep440_is_prerelease(&p->versions[i].v);
			if (pubgrub_set_has(allowed, i) && (pre || is_pre == (pass == 1)) && (pass == 0 || !pre) &&
			    !(n && order[0] == i))
				order[n++] = i;
		}
	for (size_t k = 0; k < n && chosen < 0; k++) {
		size_t i = order[k];
		uint64_t bit = (uint64_t)1 << (i % 64);
		if (sv->nodes[id].tried[i / 64] & bit) {
			if (sv->nodes[id].usable[i / 64] & bit)
				chosen = (int)i;
			continue;
		}
		util_buf_truncate(&why, 0);
		int rc = try_version(sv, id, i, &why);
		sv->nodes[id].tried[i / 64] |= bit;
		if (rc > 0)
			sv->nodes[id].usable[i / 64] |= bit;
		if (rc < 0) {
			chosen = -2;
			break;
		}
		if (rc > 0)
			chosen = (int)i;
		else
			forbid(sv, id, i, util_buf_str(&why));
	}
	flush_forbids(sv, id);
	free(order);
	util_buf_free(&why);
	return chosen;
}

static size_t activator_index(const struct solve *sv, char kind, const char *name)
{
	for (size_t i = 0; i < sv->nacts; i++)
		if (sv->acts[i].kind == kind && (!name || !strcmp(sv->acts[i].name, name)))
			return i;
	return 0;
}

static int root_requirement(struct solve *sv, const char *text, size_t act, const char *where)
{
	struct cand_requirement r;
	struct pep508_env me = sv->env->menv;
	const char *why;
	size_t at, n = 0;
	int targets[PEP508_MAX_EXTRAS + 1], rc = 0;

	int got = candidates_requirement(sv->o->cands, text, &r, &why, &at, sv->err);
	if (got == -1)
		return pl_error_set(sv->err, sv->o->proj->pyproject_path, 0, 0, "%s: '%.100s' is not a requirement: %s "
				    "(at byte %zu)", where, text, why, at + 1);
	if (got < 0)
		return -1;
	me.vars[PEP508_EXTRA] = sv->acts[act].kind == 'e' ? sv->acts[act].name : "";
	if (r.marker && !pep508_eval(r.marker, &me))
		goto out;
	if (r.url) {
		rc = pl_error_set(sv->err, sv->o->proj->pyproject_path, 0, 0, "%s: '%.100s' names a direct URL; "
				  "pylock does not lock those yet", where, text);
		goto out;
	}
	require(sv, PUBGRUB_ROOT, 0, &r, targets, &n);
	for (size_t i = 0; i < n; i++) {
		sv->edges = util_xrealloc(sv->edges, (sv->nedges + 1) * sizeof(*sv->edges));
		sv->edges[sv->nedges++] = (struct root_edge){ act, targets[i] };
	}
out:
	candidates_requirement_fini(&r);
	return rc;
}

/* A dependency group's requirements, include-group followed (PEP 735). */
static int group_requirements(struct solve *sv, const char *group, size_t act, int depth)
{
	const struct toml_value *groups = sv->o->proj->dependency_groups;
	char want[PEP508_MAX_NAME], name[PEP508_MAX_NAME];

	if (depth > MAX_GROUP_DEPTH)
		return pl_error_set(sv->err, sv->o->proj->pyproject_path, 0, 0, "dependency group '%.100s': "
				    "include-group goes deeper than %d (a cycle?)", group, MAX_GROUP_DEPTH);
	pep508_normalize_name(group, want);
	for (size_t i = 0; groups && i < groups->u.table.len; i++) {
		const struct toml_value *list = groups->u.table.items[i].value;
		if (strlen(groups->u.table.items[i].key) >= sizeof(name))
			continue;
		pep508_normalize_name(groups->u.table.items[i].key, name);
		if (strcmp(name, want))
			continue;
		for (size_t k = 0; k < list->u.array.len; k++) {
			const struct toml_value *item = list->u.array.items[k];
			int rc = item->type == TOML_STRING
					 ? root_requirement(sv, item->u.str.ptr, act, "[dependency-groups]")
					 : group_requirements(sv, toml_get(item, "include-group")->u.str.ptr, act, depth + 1);
			if (rc < 0)
				return -1;
		}
		return 0;
	}
	return pl_error_set(sv->err, sv->o->proj->pyproject_path, 0, 0, "include-group names '%.100s', which "
			    "[dependency-groups] does not have", group);
}

static int add_root(struct solve *sv)
{
	const struct project *proj = sv->o->proj;

	for (size_t i = 0; i < proj->ndependencies; i++)
		if (root_requirement(sv, proj->dependencies[i], 0, "project.dependencies") < 0)
			return -1;
	for (size_t e = 0; e < proj->nextras; e++) {
		char norm[PEP508_MAX_NAME];
		pep508_normalize_name(proj->extras[e].name, norm);
		for (size_t i = 0; i < proj->extras[e].n; i++)
			if (root_requirement(sv, proj->extras[e].requirements[i], activator_index(sv, 'e', norm),
					     "project.optional-dependencies") < 0)
				return -1;
	}
	for (size_t g = 0; g < sv->nacts; g++)
		if (sv->acts[g].kind == 'g' && group_requirements(sv, sv->acts[g].name, g, 0) < 0)
			return -1;
	return 0;
}

/* ---- the lock ---- */

/* One [[packages]] entry: a project's version, in the environments that
 * chose it, reached from some activators in each. */
struct entry {
	struct cand_project *proj;
	size_t version;
	uint64_t envs;			/* bit e: environment e chose it */
	uint64_t *acts;			/* per environment, a bit per activator */
	struct entry_dep {
		struct cand_project *proj;
		size_t version;
	} *deps;			/* what it depends on */
	size_t ndeps;
};

struct result {
	struct entry *entries;
	size_t n;
	size_t nacts;
};

static struct entry *entry_for(struct result *res, struct cand_project *p, size_t v)
{
	for (size_t i = 0; i < res->n; i++)
		if (res->entries[i].proj == p && res->entries[i].version == v)
			return &res->entries[i];
	res->entries = util_xrealloc(res->entries, (res->n + 1) * sizeof(*res->entries));
	res->entries[res->n] = (struct entry){ .proj = p, .version = v,
					       .acts = util_xcalloc(LOCKGEN_MAX_ENVS, sizeof(uint64_t)) };
	return &res->entries[res->n++];
}

static void add_dep(struct entry *e, struct cand_project *d, size_t v)
{
	for (size_t i = 0; i < e->ndeps; i++)
		if (e->deps[i].proj == d && e->deps[i].version == v)
			return;
	e->deps = util_xrealloc(e->deps, (e->ndeps + 1) * sizeof(*e->deps));
	e->deps[e->ndeps++] = (struct entry_dep){ d, v };
}

/* Which activators reach each chosen node (a walk per activator from the
 * root's edges), recorded in res under environment env. */
static int collect(struct solve *sv, size_t env, struct result *res)
{
	size_t nn = sv->nnodes;
	uint64_t *reach = util_xcalloc(nn, sizeof(uint64_t));
	int *queue = util_xmalloc(nn * sizeof(int));
	int **adj = util_xcalloc(nn, sizeof(int *));
	size_t *nadj = util_xcalloc(nn, sizeof(size_t));
	struct util_buf why = UTIL_BUF_INIT;

	/* Edges between chosen nodes, from their versions' requirements. */
	for (size_t id = 1; id < nn; id++) {
		int v = pubgrub_selected(sv->s, (int)id);
		const struct cand_requirement **deps;
		size_t n;
		if (v < 0)
			continue;
		struct node *node = &sv->nodes[id];
		if (node->extra) {
			adj[id] = util_xrealloc(adj[id], (nadj[id] + 1) * sizeof(int));
			adj[id][nadj[id]++] = node_of(sv, node->proj, NULL);
		}
		if (version_deps(sv, node, &node->proj->versions[v], &deps, &n, &why) < 0)
			continue;
		for (size_t k = 0; k < n; k++) {
			adj[id] = util_xrealloc(adj[id], (nadj[id] + 1 + deps[k]->nextras) * sizeof(int));
			adj[id][nadj[id]++] = node_of(sv, deps[k]->proj, NULL);
			for (size_t x = 0; x < deps[k]->nextras; x++)
				adj[id][nadj[id]++] = node_of(sv, deps[k]->proj, deps[k]->extras[x]);
		}
		free(deps);
	}
	for (size_t a = 0; a < sv->nacts; a++) {
		size_t head = 0, tail = 0;
		for (size_t i = 0; i < sv->nedges; i++) {
			int t = sv->edges[i].node;
			if (sv->edges[i].activator == a && pubgrub_selected(sv->s, t) >= 0 && !(reach[t] >> a & 1)) {
				reach[t] |= (uint64_t)1 << a;
				queue[tail++] = t;
			}
		}
		while (head < tail) {
			int id = queue[head++];
			for (size_t k = 0; k < nadj[id]; k++) {
				int t = adj[id][k];
				if (t > 0 && pubgrub_selected(sv->s, t) >= 0 && !(reach[t] >> a & 1)) {
					reach[t] |= (uint64_t)1 << a;
					queue[tail++] = t;
				}
			}
		}
	}
	for (size_t id = 1; id < nn; id++) {
		int v = pubgrub_selected(sv->s, (int)id);
		if (v < 0 || !reach[id])
			continue;
		struct entry *e = entry_for(res, sv->nodes[id].proj, (size_t)v);
		e->envs |= (uint64_t)1 << env;
		e->acts[env] |= reach[id];
		for (size_t k = 0; k < nadj[id]; k++) {
			int t = adj[id][k], tv = t > 0 ? pubgrub_selected(sv->s, t) : -1;
			if (tv >= 0 && sv->nodes[t].proj != e->proj)
				add_dep(e, sv->nodes[t].proj, (size_t)tv);
		}
	}
	for (size_t i = 0; i < nn; i++)
		free(adj[i]);
	free(adj);
	free(nadj);
	free(reach);
	free(queue);
	util_buf_free(&why);
	return 0;
}

static void put_key_string(struct util_buf *b, const char *key, const char *value)
{
	util_buf_printf(b, "%s = ", key);
	toml_write_string(b, value, strlen(value));
	util_buf_putc(b, '\n');
}

static void put_string_array(struct util_buf *b, const char *key, char *const *items, size_t n)
{
	if (!n)
		return;
	util_buf_printf(b, "%s = [", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			util_buf_puts(b, ", ");
		toml_write_string(b, items[i], strlen(items[i]));
	}
	util_buf_puts(b, "]\n");
}

/* "'socks' in extras or 'dev' in dependency_groups"; NULL when the main
 * dependencies reach it (then nothing narrows it). */
static char *activator_clause(const struct activator *acts, size_t nacts, uint64_t mask)
{
	struct util_buf b = UTIL_BUF_INIT;

	if (mask & 1)
		return NULL;
	for (size_t a = 1; a < nacts; a++)
		if (mask >> a & 1)
			util_buf_printf(&b, "%s'%s' in %s", b.len ? " or " : "", acts[a].name,
					acts[a].kind == 'e' ? "extras" : "dependency_groups");
	return util_buf_steal(&b);
}

static char *entry_marker(const struct entry *e, const struct env *envs, size_t nenvs, const struct activator *acts,
			  size_t nacts)
{
	uint64_t all = nenvs >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << nenvs) - 1;
	char *first = NULL;
	bool same = true, seen = false;
	struct util_buf b = UTIL_BUF_INIT;

	/* The same activators everywhere it is chosen, and chosen everywhere:
	 * the environments say nothing. */
	for (size_t i = 0; i < nenvs; i++) {
		if (!(e->envs >> i & 1))
			continue;
		char *c = activator_clause(acts, nacts, e->acts[i]);
		if (!seen) {
			first = c;
			seen = true;
			continue;
		}
		same &= util_str_equal(first, c);
		free(c);
	}
	if (e->envs == all && same)
		return first;
	free(first);
	for (size_t i = 0; i < nenvs; i++) {
		if (!(e->envs >> i & 1))
			continue;
		char *c = activator_clause(acts, nacts, e->acts[i]);
		util_buf_printf(&b, "%s(%s)", b.len ? " or " : "", envs[i].label);
		if (c)
			util_buf_printf(&b, " and (%s)", c);
		free(c);
	}
	return util_buf_steal(&b);
}

/* PEP 700's upload-time as a TOML offset date-time, when it is one. */
static bool rfc3339(const char *s)
{
	static const char form[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; form[i]; i++)
		if (form[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != form[i])
			return false;
	if (s[i] == '.') {
		size_t k = ++i;
		while (s[i] >= '0' && s[i] <= '9' && i - k < 9)
			i++;
		if (i == k)
			return false;
	}
	if (s[i] == 'Z')
		return !s[i + 1];
	return (s[i] == '+' || s[i] == '-') && s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] >= '0' &&
	       s[i + 2] <= '9' && s[i + 3] == ':' && s[i + 4] >= '0' && s[i + 4] <= '9' && s[i + 5] >= '0' &&
	       s[i + 5] <= '9' && !s[i + 6];
}

static void put_file(struct util_buf *b, const char *table, const struct cand_file *f)
{
	const struct registry_link *l = f->link;

	util_buf_printf(b, "\n[%s]\n", table);
	put_key_string(b, "name", l->filename);
	put_key_string(b, "url", l->url);
	if (l->size >= 0)
		util_buf_printf(b, "size = %lld\n", (long long)l->size);
	if (l->upload_time && rfc3339(l->upload_time))
		util_buf_printf(b, "upload-time = %s\n", l->upload_time);
	util_buf_puts(b, "hashes = {sha256 = ");
	toml_write_string(b, l->sha256, strlen(l->sha256));
	util_buf_puts(b, "}\n");
}

static bool file_in_lock(const struct lockgen_options *o, const struct entry *e, const struct env *envs,
			 size_t nenvs, struct cand_file *f)
{
	struct cand_version *v = &e->proj->versions[e->version];
	bool suits = !f->wheel;

	if (!f->link->sha256 || (f->link->yanked && !v->yanked))
		return false;
	for (size_t i = 0; i < nenvs && !suits; i++)
		suits = (e->envs >> i & 1) && env_wheel_ok(&envs[i], f->link->filename);
	return suits && candidates_admitted(o->cands, e->proj, v, f, NULL);
}

static int by_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->proj->name, y->proj->name);

	return c ? c : pep440_compare(&x->proj->versions[x->version].v, &y->proj->versions[y->version].v);
}

static void write_entry(const struct lockgen_options *o, const struct result *res, const struct entry *e,
			const struct env *envs, size_t nenvs, const struct activator *acts, size_t nacts,
			struct util_buf *b)
{
	struct cand_version *v = &e->proj->versions[e->version];
	char *marker = entry_marker(e, envs, nenvs, acts, nacts);
	struct trust_result signer = { 0 };

	util_buf_puts(b, "\n[[packages]]\n");
	put_key_string(b, "name", e->proj->name);
	put_key_string(b, "version", v->text);
	if (marker)
		put_key_string(b, "marker", marker);
	free(marker);
	if (v->meta_state > 0 && v->meta.requires_python && *v->meta.requires_python)
		put_key_string(b, "requires-python", v->meta.requires_python);
	put_key_string(b, "index", e->proj->index);
	if (e->ndeps) {
		/* A name with one entry in the lock is enough to find it; with
		 * several, its version says which (PEP 751). */
		util_buf_puts(b, "dependencies = [");
		for (size_t i = 0; i < e->ndeps; i++) {
			const struct cand_project *d = e->deps[i].proj;
			size_t same = 0;
			for (size_t k = 0; k < res->n; k++)
				same += res->entries[k].proj == d;
			util_buf_puts(b, i ? ", {name = " : "{name = ");
			toml_write_string(b, d->name, strlen(d->name));
			if (same > 1) {
				util_buf_puts(b, ", version = ");
				toml_write_string(b, d->versions[e->deps[i].version].text,
						  strlen(d->versions[e->deps[i].version].text));
			}
			util_buf_puts(b, "}");
		}
		util_buf_puts(b, "]\n");
	}
	for (size_t i = 0; i < v->nfiles; i++) {
		struct cand_file *f = &v->files[i];
		if (!f->wheel && file_in_lock(o, e, envs, nenvs, f))
			put_file(b, "packages.sdist", f);
	}
	for (size_t i = 0; i < v->nfiles; i++) {
		struct cand_file *f = &v->files[i];
		if (f->wheel && file_in_lock(o, e, envs, nenvs, f)) {
			put_file(b, "[packages.wheels]", f);
			if (f->checked && f->trust.signer.kind[0] && !signer.signer.kind[0])
				signer = f->trust;
		}
	}
	/* Who publishes it, as the index's provenance proved: a later lock
	 * of this package must be attested by the same publisher. */
	if (signer.signer.kind[0] && signer.signer.repository[0]) {
		util_buf_puts(b, "\n[[packages.attestation-identities]]\n");
		put_key_string(b, "kind", signer.signer.kind);
		put_key_string(b, "repository", signer.signer.repository);
		if (signer.signer.workflow[0])
			put_key_string(b, "workflow", signer.signer.workflow);
	}
}

static void write_lock(const struct lockgen_options *o, struct result *res, const struct env *envs, size_t nenvs,
		       const struct activator *acts, size_t nacts, struct util_buf *b)
{
	const struct project *proj = o->proj;
	const struct toml_value *defaults = toml_get(proj->tool_pylock, "groups");
	char **list = util_xcalloc(nacts + nenvs + 1, sizeof(char *));
	size_t n = 0;

	util_buf_puts(b, "lock-version = \"1.0\"\n");
	for (size_t i = 0; i < nenvs; i++)
		list[n++] = envs[i].label;
	put_string_array(b, "environments", list, n);
	if (proj->requires_python)
		put_key_string(b, "requires-python", proj->requires_python);
	n = 0;
	for (size_t a = 1; a < nacts; a++)
		if (acts[a].kind == 'e')
			list[n++] = acts[a].name;
	put_string_array(b, "extras", list, n);
	n = 0;
	for (size_t a = 1; a < nacts; a++)
		if (acts[a].kind == 'g')
			list[n++] = acts[a].name;
	put_string_array(b, "dependency-groups", list, n);
	/* What `pylock sync` installs without --group: [tool.pylock] groups,
	 * else "dev" when the project has it (as uv does). */
	size_t ngroups = n;
	n = 0;
	if (defaults && defaults->type == TOML_ARRAY) {
		for (size_t i = 0; i < defaults->u.array.len; i++)
			if (defaults->u.array.items[i]->type == TOML_STRING)
				list[n++] = (char *)defaults->u.array.items[i]->u.str.ptr;
	} else {
		for (size_t i = 0; i < ngroups; i++)
			if (!strcmp(list[i], "dev"))
				list[n++] = "dev";
	}
	put_string_array(b, "default-groups", list, n);
	put_key_string(b, "created-by", "pylock " PACKAGE_VERSION);
	free(list);
	if (res->n)
		qsort(res->entries, res->n, sizeof(*res->entries), by_entry);
	for (size_t i = 0; i < res->n; i++)
		write_entry(o, res, &res->entries[i], envs, nenvs, acts, nacts, b);
	/* Other tools' tables are theirs: a relock keeps them. */
	const struct toml_value *tools = o->previous ? o->previous->tool : NULL;
	for (size_t i = 0; tools && tools->type == TOML_TABLE && i < tools->u.table.len; i++)
		if (strcmp(tools->u.table.items[i].key, "pylock"))
			lock_write_tool_of(o->previous, tools->u.table.items[i].key, b);
	if (o->allow_unverified)
		util_buf_puts(b, "\n[tool.pylock]\nallow-unverified = true\n");
}

/* ---- the whole ---- */

static struct activator *activators(const struct project *proj, size_t *n)
{
	size_t ngroups = proj->dependency_groups ? proj->dependency_groups->u.table.len : 0;
	struct activator *a = util_xcalloc(1 + proj->nextras + ngroups, sizeof(*a));
	char norm[PEP508_MAX_NAME];

	a[0] = (struct activator){ 'm', util_xstrdup("") };
	*n = 1;
	for (size_t i = 0; i < proj->nextras; i++) {
		pep508_normalize_name(proj->extras[i].name, norm);
		a[(*n)++] = (struct activator){ 'e', util_xstrdup(norm) };
	}
	for (size_t i = 0; i < ngroups; i++) {
		pep508_normalize_name(proj->dependency_groups->u.table.items[i].key, norm);
		a[(*n)++] = (struct activator){ 'g', util_xstrdup(norm) };
	}
	return a;
}

static void solve_fini(struct solve *sv)
{
	for (size_t i = 0; i < sv->nnodes; i++) {
		free(sv->nodes[i].extra);
		free(sv->nodes[i].tried);
		free(sv->nodes[i].usable);
	}
	free(sv->nodes);
	free(sv->edges);
	for (size_t i = 0; i < sv->nforbids; i++) {
		free(sv->forbids[i].reason);
		pubgrub_set_free(&sv->forbids[i].set);
	}
	free(sv->forbids);
	pubgrub_free(sv->s);
}

int lockgen_run(const struct lockgen_options *o, struct util_buf *out, struct util_buf *why,
		struct lockgen_stats *stats, struct pl_error *err)
{
	size_t nenvs = o->nenvs ? o->nenvs : 1, nacts;
	struct env *envs = util_xcalloc(nenvs, sizeof(*envs));
	struct activator *acts = activators(o->proj, &nacts);
	struct result res = { .nacts = nacts };
	struct util_buf text = UTIL_BUF_INIT;
	size_t made = 0;
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	if (nenvs > LOCKGEN_MAX_ENVS || nacts > 64) {
		pl_error_set(err, NULL, 0, 0, "at most %d environments and 63 extras and groups are locked together",
			     LOCKGEN_MAX_ENVS);
		goto out;
	}
	for (; made < nenvs; made++)
		if (env_init(&envs[made], o->py, o->nenvs ? o->envs[made] : NULL, err) < 0) {
			env_fini(&envs[made]);
			goto out;
		}
	/* An environment the project says it does not run in is a mistake
	 * to say, not a lock to make. */
	if (o->proj->requires_python) {
		struct pep440_specset rp;
		const char *why_rp;
		if (pep440_specset_parse(o->proj->requires_python, &rp, &why_rp) < 0) {
			pl_error_set(err, o->proj->pyproject_path, 0, 0, "project.requires-python '%.100s' is not a "
				     "specifier: %s", o->proj->requires_python, why_rp);
			goto out;
		}
		for (size_t e = 0; e < nenvs; e++)
			if (!pep440_specset_contains(&rp, &envs[e].python)) {
				pl_error_set(err, o->proj->pyproject_path, 0, 0, "requires-python is %.100s, and %s has "
					     "Python %s%s", o->proj->requires_python, o->nenvs ? envs[e].label : "this interpreter",
					     envs[e].vars[PEP508_PYTHON_FULL_VERSION],
					     o->nenvs ? "" : " (lock for another with --env MARKER, or name one in config.yaml python:)");
				goto out;
			}
	}
	for (size_t e = 0; e < nenvs; e++) {
		struct solve sv = { .o = o, .env = &envs[e], .acts = acts, .nacts = nacts, .err = err };
		size_t d, c, inc;
		sv.s = pubgrub_new(o->proj->name, choose, &sv);
		sv.nodes = util_xcalloc(1, sizeof(*sv.nodes));
		sv.nnodes = 1;
		int solved = pubgrub_solve(sv.s);
		pubgrub_stats(sv.s, &d, &c, &inc);
		stats->decisions += d;
		stats->conflicts += c;
		stats->incompatibilities += inc;
		if (solved == 1) {
			if (nenvs > 1)
				util_buf_printf(why, "For %s:\n", envs[e].label);
			pubgrub_explain(sv.s, why);
			rc = 1;
		} else if (solved == 0) {
			collect(&sv, e, &res);
		}
		solve_fini(&sv);
		if (solved != 0) {
			if (solved < 0)
				rc = -1;
			goto out;
		}
	}
	write_lock(o, &res, envs, nenvs, acts, nacts, &text);
	stats->packages = res.n;
	struct lock *lock = lock_parse(text.data, text.len, "pylock.toml", err);
	if (!lock) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		pl_error_set(err, NULL, 0, 0, "the lock made is not valid (a bug; please report it): line %d: %s",
			     err->line, msg);
		goto out;
	}
	lock_write(lock, out);
	lock_free(lock);
	rc = 0;
out:
	util_buf_free(&text);
	for (size_t i = 0; i < made; i++)
		env_fini(&envs[i]);
	free(envs);
	for (size_t i = 0; i < res.n; i++) {
		free(res.entries[i].acts);
		free(res.entries[i].deps);
	}
	free(res.entries);
	for (size_t i = 0; i < nacts; i++)
		free(acts[i].name);
	free(acts);
	return rc;
}
