/* Environments: which wheels, the env-id, and where things live. */
#include "config.h"
#include "env.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env-internal.h"
#include "pep440.h"
#include "pep508.h"

/* ---- selection ---- */

static bool version_in(const char *spec, const char *version, const char **why)
{
	struct pep440_specset set;
	struct pep440_version v;

	if (pep440_specset_parse(spec, &set, why) < 0 || pep440_parse(version, &v, why) < 0)
		return false;
	*why = NULL;
	return pep440_specset_contains(&set, &v);
}

static bool marker_holds(const char *text, const struct pep508_env *env, const char **why)
{
	size_t offset;
	struct pep508_marker *m = pep508_parse(text, why, &offset);
	bool holds;

	if (!m)
		return false;
	holds = pep508_eval(m, env);
	pep508_free(m);
	*why = NULL;
	return holds;
}

static int by_pick_name(const void *a, const void *b)
{
	return strcmp(((const struct env_pick *)a)->pkg->norm_name, ((const struct env_pick *)b)->pkg->norm_name);
}

/* Problems are gathered so that one run names every package that needs
 * attention, not just the first. */
#define PROBLEMS_MAX 5		/* told; the rest are counted */
#define PROBLEMS_TEXT_MAX 900	/* whole problems only: an error is 1 KiB */

struct problems {
	struct util_buf text;
	size_t n, told;
};

static void problem(struct problems *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct problems *ps, const char *fmt, ...)
{
	struct util_buf one = UTIL_BUF_INIT;
	va_list ap;

	ps->n++;
	va_start(ap, fmt);
	util_buf_vprintf(&one, fmt, ap);
	va_end(ap);
	if (ps->told < PROBLEMS_MAX && ps->text.len + one.len + 2 <= PROBLEMS_TEXT_MAX) {
		util_buf_printf(&ps->text, "%s%s", ps->told++ ? "; " : "", one.data);
	}
	util_buf_free(&one);
}

/* What a package without a usable wheel would have to be built from. */
static const char *build_source(const struct lock_package *p)
{
	return p->source == LOCK_SOURCE_VCS ? "vcs" : p->source == LOCK_SOURCE_DIRECTORY ? "directory"
		: p->source == LOCK_SOURCE_ARCHIVE ? "archive" : p->has_sdist ? "sdist" : NULL;
}

static void compute_env_id(const struct pyenv *py, struct env_plan *plan)
{
	struct util_buf b = UTIL_BUF_INIT;
	struct pl_error err;
	struct trust_sha256 *h;

	pyenv_identity(py, &b);
	/* Asked-for groups and extras make an environment of their own, even
	 * when they add no package (the lock's defaults keep their env-ids). */
	if (!plan->sel.is_default) {
		util_buf_puts(&b, "select ");
		env_selection_describe(&plan->sel, &b);
		util_buf_putc(&b, '\n');
	}
	for (size_t i = 0; i < plan->n; i++) {
		const struct env_pick *p = &plan->picks[i];
		util_buf_printf(&b, "%s %s %s", p->pkg->norm_name, p->pkg->version ? p->pkg->version : "", p->key);
		/* Every hash the lock claims is checked when the environment is
		 * made: a changed claim is another environment. */
		for (size_t k = 0; p->file && p->file->nhashes > 1 && k < p->file->nhashes; k++)
			util_buf_printf(&b, " %s:%s", p->file->hashes[k].algo, p->file->hashes[k].value);
		/* So is who may publish it. */
		if (p->pkg->attestation_identities) {
			util_buf_puts(&b, " attested-by ");
			toml_write_value(&b, p->pkg->attestation_identities);
		}
		util_buf_putc(&b, '\n');
	}
	if ((h = trust_sha256_new(&err))) {
		trust_sha256_update(h, b.data, b.len);
		trust_sha256_final(h, plan->env_id);
	}
	util_buf_free(&b);
}

/* name's spelling in list (a TOML array of strings), compared normalised
 * (PEP 685, PEP 735), or NULL. */
static const char *listed(const struct toml_value *list, const char *name)
{
	char a[256], b[256];

	if (strlen(name) >= sizeof(a))
		return NULL;
	pep508_normalize_name(name, a);
	for (uint32_t i = 0; list && list->type == TOML_ARRAY && i < list->u.array.len; i++) {
		const struct toml_value *v = list->u.array.items[i];
		if (v->type != TOML_STRING || v->u.str.len >= sizeof(b))
			continue;
		pep508_normalize_name(v->u.str.ptr, b);
		if (!strcmp(a, b))
			return v->u.str.ptr;
	}
	return NULL;
}

static void list_names(const struct toml_value *list, struct util_buf *out)
{
	if (!toml_join_strings(list, out))
		util_buf_puts(out, "none");
}

/* Adds name once, as the lock spells it: a group must be one of its
 * dependency-groups or default-groups (PEP 751's synthetic groups, such
 * as pdm's "default"), an extra one of its extras. */
static int add_name(const char **names, size_t *n, bool group, const char *name, const struct lock *lock,
		    const char *file, const struct toml_value *at, struct pl_error *err)
{
	const struct toml_value *list = group ? lock->dependency_groups : lock->extras;
	const char *spelled = listed(list, name), *what = group ? "group" : "extra";

	if (!spelled && group)
		spelled = listed(lock->default_groups, name);
	if (!spelled) {
		struct util_buf have = UTIL_BUF_INIT;
		list_names(list, &have);
		if (group && lock->default_groups) {
			util_buf_puts(&have, "; default: ");
			list_names(lock->default_groups, &have);
		}
		if (file && at)
			pl_error_set(err, file, (int)at->line, (int)at->col, "%s '%.100s' is not one of the lock's (%s: %s)",
				     what, name, lock->path, have.data);
		else
			pl_error_set(err, lock->path, 0, 0, "the lock has no %s '%.100s' (it has: %s)", what, name, have.data);
		util_buf_free(&have);
		return -1;
	}
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(names[i], spelled))
			return 0;
	if (*n == ENV_SELECT_MAX)
		return pl_error_set(err, lock->path, 0, 0, "more than %d %ss asked for", ENV_SELECT_MAX, what);
	names[(*n)++] = spelled;
	return 0;
}

/* Every string of list (an array in file) added. */
static int add_list(const char **names, size_t *n, bool group, const struct toml_value *list, const struct lock *lock,
		    const char *file, struct pl_error *err)
{
	const char *what = group ? "group" : "extra";

	if (!list)
		return 0;
	if (list->type != TOML_ARRAY)
		return pl_error_set(err, file, (int)list->line, (int)list->col, "[tool.pylock] %ss must be an array "
				    "of names", what);
	for (uint32_t i = 0; i < list->u.array.len; i++) {
		const struct toml_value *v = list->u.array.items[i];
		if (v->type != TOML_STRING)
			return pl_error_set(err, file, (int)v->line, (int)v->col, "a %s's name must be a string", what);
		if (add_name(names, n, group, v->u.str.ptr, lock, file, v, err) < 0)
			return -1;
	}
	return 0;
}

int env_select(const struct lock *lock, const struct env_request *req, struct env_selection *sel,
	       struct pl_error *err)
{
	static const struct env_request none;
	const char *file;

	req = req ? req : &none;
	file = req->project_file;
	memset(sel, 0, sizeof(*sel));
	sel->is_default = !req->ngroups && !req->nextras && !req->all_groups && !req->all_extras &&
			  !req->no_default_groups && !req->project_groups && !req->project_extras;
	if (!req->no_default_groups &&
	    add_list(sel->groups, &sel->ngroups, true, req->project_groups ? req->project_groups : lock->default_groups,
		     lock, req->project_groups ? file : lock->path, err) < 0)
		return -1;
	if (add_list(sel->extras, &sel->nextras, false, req->project_extras, lock, file, err) < 0)
		return -1;
	for (size_t i = 0; i < req->ngroups; i++)
		if (add_name(sel->groups, &sel->ngroups, true, req->groups[i], lock, NULL, NULL, err) < 0)
			return -1;
	for (size_t i = 0; i < req->nextras; i++)
		if (add_name(sel->extras, &sel->nextras, false, req->extras[i], lock, NULL, NULL, err) < 0)
			return -1;
	if ((req->all_groups && add_list(sel->groups, &sel->ngroups, true, lock->dependency_groups, lock, lock->path,
					 err) < 0) ||
	    (req->all_extras && add_list(sel->extras, &sel->nextras, false, lock->extras, lock, lock->path, err) < 0))
		return -1;
	return 0;
}

void env_selection_describe(const struct env_selection *sel, struct util_buf *out)
{
	util_buf_puts(out, sel->ngroups ? "groups " : "no groups");
	for (size_t i = 0; i < sel->ngroups; i++)
		util_buf_printf(out, "%s%s", i ? ", " : "", sel->groups[i]);
	util_buf_puts(out, sel->nextras ? "; extras " : "; no extras");
	for (size_t i = 0; i < sel->nextras; i++)
		util_buf_printf(out, "%s%s", i ? ", " : "", sel->extras[i]);
}

void env_selector_init(struct env_selector *s, const struct env_selection *sel, const struct pyenv *py)
{
	s->py = py;
	pyenv_marker_env(py, &s->menv);
	s->menv.groups = sel->groups;
	s->menv.n_groups = sel->ngroups;
	s->menv.extras = sel->extras;
	s->menv.n_extras = sel->nextras;
}

bool env_selector_applies(const struct env_selector *s, const struct lock_package *p, const char **why)
{
	*why = NULL;
	return !p->marker || marker_holds(p->marker, &s->menv, why);
}

const struct lock_file *env_best_wheel(const struct pyenv *py, const struct lock_package *p)
{
	const struct lock_file *best = NULL;
	long best_rank = -1;

	for (size_t k = 0; k < p->nwheels; k++) {
		long r = pyenv_wheel_rank(py, p->wheels[k].name);
		if (r >= 0 && (best_rank < 0 || r < best_rank)) {
			best_rank = r;
			best = &p->wheels[k];
		}
	}
	/* An archive whose file is a wheel installs like one. */
	if (!best && p->has_archive && pyenv_wheel_rank(py, p->archive.name) >= 0)
		best = &p->archive;
	return best;
}

int env_plan(const struct lock *lock, const struct pyenv *py, const struct env_selection *want, struct env_plan *plan,
	     struct pl_error *err)
{
	struct env_selector sel;
	const char *why;
	struct problems problems = { .n = 0 };
	struct util_buf builds = UTIL_BUF_INIT;
	size_t nbuilds = 0;

	memset(plan, 0, sizeof(*plan));
	if (want)
		plan->sel = *want;
	else if (env_select(lock, NULL, &plan->sel, err) < 0)
		return -1;
	env_selector_init(&sel, &plan->sel, py);
	const struct pep508_env menv = sel.menv;
	if (lock->requires_python && !version_in(lock->requires_python, py->version, &why))
		return pl_error_set(err, lock->path, 0, 0, "the lock requires Python %s; %s is %s",
				    lock->requires_python, py->executable, py->version);
	const struct toml_value *envs = lock->environments;
	if (envs && envs->type == TOML_ARRAY && envs->u.array.len) {
		bool any = false;
		for (uint32_t i = 0; i < envs->u.array.len && !any; i++)
			any = envs->u.array.items[i]->type == TOML_STRING &&
			      marker_holds(envs->u.array.items[i]->u.str.ptr, &menv, &why);
		if (!any)
			return pl_error_set(err, lock->path, envs->line, envs->col,
					    "none of the lock's environments matches %s (Python %s, %s)", py->executable,
					    py->version, py->vars[PEP508_SYS_PLATFORM]);
	}
	plan->picks = util_xcalloc(lock->npackages + 1, sizeof(*plan->picks));
	plan->editables = util_xcalloc(lock->npackages + 1, sizeof(*plan->editables));
	/* A directory entry's path starts at the lock's folder. */
	char *base = util_xstrdup(lock->path), *slash = strrchr(base, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(base, ".");
	for (size_t i = 0; i < lock->npackages; i++) {
		const struct lock_package *p = &lock->packages[i];
		if (!env_selector_applies(&sel, p, &why)) {
			if (why)
				problem(&problems, "%s: marker: %s", p->name, why);
			else
				plan->skipped++;
			continue;
		}
		if (p->requires_python && !version_in(p->requires_python, py->version, &why)) {
			problem(&problems, "%s %s requires Python %s", p->name, p->version ? p->version : "",
				p->requires_python);
			continue;
		}
		const struct toml_value *editable = toml_get(p->directory, "editable");
		if (editable && editable->type == TOML_BOOL && editable->u.boolean) {
			struct editable *e = &plan->editables[plan->neditables];
			struct pl_error failed;
			if (editable_open(base, toml_get(p->directory, "path")->u.str.ptr, p->name, p->version, py->xy,
					  ENV_PREFIX, e, &failed) < 0) {
				char msg[600];
				problem(&problems, "%s (editable): %s", p->name,
					pl_error_format(&failed, msg, sizeof(msg)));
				continue;
			}
			plan->neditables++;
			plan->picks[plan->n++] = (struct env_pick){ .pkg = p, .editable = e, .key = e->id };
			continue;
		}
		const struct lock_file *best = env_best_wheel(py, p);
		if (!best) {
			const char *source = build_source(p);
			if (source && ++nbuilds <= 5)
				util_buf_printf(&builds, "%s%s (%s%s)", nbuilds > 1 ? ", " : "", p->name, source,
						p->nwheels ? "; its wheels are for other interpreters" : "");
			else if (!source)
				problem(&problems, "%s: no wheel fits this interpreter (%s)", p->name,
					py->ntags ? py->tags[0] : "?");
			continue;
		}
		const struct lock_hash *h = lock_file_best_hash(best);
		if (!h) {
			problem(&problems, "%s: %s has %s in the lock", p->name, best->name,
				best->nhashes ? "only a weak hash (md5 or sha1)" : "no hash");
			continue;
		}
		plan->picks[plan->n++] = (struct env_pick){ .pkg = p, .file = best, .key = h->value };
	}
	qsort(plan->picks, plan->n, sizeof(*plan->picks), by_pick_name);
	for (size_t i = 1; i < plan->n; i++)
		if (!strcmp(plan->picks[i - 1].pkg->norm_name, plan->picks[i].pkg->norm_name))
			problem(&problems, "%s is locked twice for this interpreter (lines %u and %u)",
				plan->picks[i].pkg->name, plan->picks[i - 1].pkg->line, plan->picks[i].pkg->line);
	if (nbuilds) {
		if (nbuilds > 5)
			util_buf_printf(&builds, " and %zu more", nbuilds - 5);
		problem(&problems, "%zu package%s need%s a build, which pylock does not do yet: %s; lock "
			"wheels for %s", nbuilds, nbuilds == 1 ? "" : "s", nbuilds == 1 ? "s" : "", builds.data,
			nbuilds == 1 ? "it" : "them");
		util_buf_free(&builds);
	}
	if (problems.n) {
		if (problems.n > problems.told)
			util_buf_printf(&problems.text, "; and %zu more", problems.n - problems.told);
		pl_error_set(err, lock->path, 0, 0, "%s", problems.text.data);
		util_buf_free(&problems.text);
		env_plan_fini(plan);
		free(base);
		return -1;
	}
	compute_env_id(py, plan);
	free(base);
	return 0;
}

void env_plan_fini(struct env_plan *plan)
{
	for (size_t i = 0; i < plan->neditables; i++)
		editable_fini(&plan->editables[i]);
	free(plan->editables);
	free(plan->picks);
	memset(plan, 0, sizeof(*plan));
}

/* ---- paths ---- */

char *env_path(const char *store, const char *env_id)
{
	struct util_buf b = UTIL_BUF_INIT;

	util_buf_printf(&b, "%s/envs/%s", store, env_id);
	return util_buf_steal(&b);
}

char *env_lock_path(const char *store, const char *env_id)
{
	struct util_buf b = UTIL_BUF_INIT;

	util_buf_printf(&b, "%s/locks/%s.lock", store, env_id);
	return util_buf_steal(&b);
}

int env_lock_open(const char *store, const char *env_id, int how, struct pl_error *err)
{
	char *path = env_lock_path(store, env_id);
	char *dir = util_xstrdup(path);
	int fd;

	*strrchr(dir, '/') = '\0';
	if (util_mkdir_p(dir, 0755, err) < 0) {
		free(path);
		free(dir);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	/* A store the user may only read (a read-only PYLOCK_HOME): its locks
	 * still work opened for reading. */
	if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM))
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		pl_error_errno(err, path, "cannot open");
	else
		while (flock(fd, how) < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EWOULDBLOCK)
				pl_error_errno(err, path, "cannot lock");
			else
				pl_error_set(err, path, 0, 0, "is in use");
			close(fd);
			fd = -1;
			break;
		}
	free(path);
	free(dir);
	return fd;
}

int env_hold(const char *store, const char *env_id, struct pl_error *err)
{
	return env_lock_open(store, env_id, LOCK_SH, err);
}

void env_release(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* projects/<hash>.json: a project's lock, the env-id last built from it and
 * the lock's size and mtime then. pylock.toml's record is named by the
 * project's folder alone (as before named locks), pylock.NAME.toml's by
 * both. */
static const char *lock_file(const char *lock_path)
{
	const char *base = lock_path ? strrchr(lock_path, '/') : NULL;

	return base ? base + 1 : lock_path ? lock_path : "pylock.toml";
}

static char *project_record(const char *store, const char *root, const char *lock_path)
{
	struct util_buf b = UTIL_BUF_INIT, key = UTIL_BUF_INIT;
	const char *file = lock_file(lock_path);

	util_buf_puts(&key, root);
	if (strcmp(file, "pylock.toml"))
		util_buf_printf(&key, "/%s", file);
	util_buf_printf(&b, "%s/projects/%016llx.json", store, (unsigned long long)util_hash_str(key.data));
	util_buf_free(&key);
	return util_buf_steal(&b);
}

/* The record of root's lock, when it is that one's: its env-id and stamp. */
static json_t *read_record(const char *store, const char *root, const char *lock_path, const char **env_id,
			   const char **stamp)
{
	char *path = project_record(store, root, lock_path);
	json_t *o = json_load_file(path, 0, NULL);
	const char *r = json_string_value(json_object_get(o, "root"));
	const char *file = json_string_value(json_object_get(o, "lock_file"));
	const char *id = json_string_value(json_object_get(o, "env_id"));

	free(path);
	*env_id = *stamp = NULL;
	if (r && id && !strcmp(r, root) && !strcmp(file ? file : "pylock.toml", lock_file(lock_path)) &&
	    strlen(id) == 64 && !strchr(id, '/')) {
		*env_id = id;
		*stamp = json_string_value(json_object_get(o, "lock"));
	}
	return o;
}

static void lock_stamp(const char *lock_path, char *out, size_t len)
{
	struct stat st;

	if (stat(lock_path, &st) < 0)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%lld %lld.%09ld", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			 st.st_mtim.tv_nsec);
}

int env_remember(const char *store, const char *project_root, const char *lock_path, const char *env_id,
		 struct pl_error *err)
{
	char *path = project_record(store, project_root, lock_path), *dir = util_xstrdup(path), *text, stamp[64];
	json_t *o;

	lock_stamp(lock_path, stamp, sizeof(stamp));
	o = json_pack("{s:s, s:s, s:s}", "root", project_root, "env_id", env_id, "lock", stamp);
	if (strcmp(lock_file(lock_path), "pylock.toml"))
		json_object_set_new(o, "lock_file", json_string(lock_file(lock_path)));
	int rc;

	*strrchr(dir, '/') = '\0';
	text = json_dumps(o, JSON_SORT_KEYS);
	/* A sync that changed nothing writes nothing (a read-only store
	 * serves it too). */
	char *old = NULL;
	size_t len;
	struct pl_error ignored;
	if (util_read_file(path, 1 << 16, &old, &len, &ignored) == 0 && !strcmp(old, text))
		rc = 0;
	else
		rc = util_mkdir_p(dir, 0755, err) < 0 ? -1 : util_write_atomic(path, text, strlen(text), 0644, err);
	free(old);
	free(text);
	json_decref(o);
	free(path);
	free(dir);
	return rc;
}

char *env_remembered(const char *store, const char *project_root, const char *lock_path)
{
	const char *id, *stamp;
	json_t *o = read_record(store, project_root, lock_path, &id, &stamp);
	char *copy = id ? util_xstrdup(id) : NULL;

	json_decref(o);
	return copy;
}

const char *env_state_name(enum env_state s)
{
	static const char *const names[] = {
		[ENV_NEVER] = "-", [ENV_MISSING] = "missing", [ENV_BUILT] = "built", [ENV_STALE] = "stale",
		[ENV_DRIFTED] = "drifted",
	};
	return names[s];
}

int env_status(const char *store, const char *project_root, const char *lock_path, const char *env_id, bool deep,
	       struct env_status *s, struct pl_error *err)
{
	char *path = env_path(store, env_id);
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->remembered = env_remembered(store, project_root, lock_path);
	if (access(path, F_OK) == 0) {
		s->state = ENV_BUILT;
		if (deep && (rc = env_drift(path, &s->drifted, s->first, sizeof(s->first), err)) == 0 && s->drifted)
			s->state = ENV_DRIFTED;
	} else {
		char *old = s->remembered ? env_path(store, s->remembered) : NULL;
		s->state = old && access(old, F_OK) == 0 ? ENV_STALE : ENV_MISSING;
		free(old);
	}
	free(path);
	return rc;
}

void env_status_fini(struct env_status *s)
{
	free(s->remembered);
	s->remembered = NULL;
}

enum env_state env_state_quick(const char *store, const char *project_root, const char *lock_path)
{
	const char *id, *then;
	char stamp[64];
	enum env_state st = ENV_NEVER;

	if (!store || !lock_path)
		return ENV_NEVER;
	json_t *o = read_record(store, project_root, lock_path, &id, &then);
	if (id && then) {
		char *env = env_path(store, id);
		lock_stamp(lock_path, stamp, sizeof(stamp));
		st = strcmp(stamp, then) ? ENV_STALE : access(env, F_OK) == 0 ? ENV_BUILT : ENV_MISSING;
		free(env);
	}
	json_decref(o);
	return st;
}
