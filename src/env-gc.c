/* Drift checks and garbage collection of the store's wheels and envs. */
#include "config.h"
#include "env.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env-internal.h"
#include "store.h"
#include "wheel.h"

int env_drift(const char *env_dir, size_t *drifted, char *first, size_t first_len, struct pl_error *err)
{
	struct util_buf lib = UTIL_BUF_INIT, site = UTIL_BUF_INIT;
	DIR *d, *sd;
	struct dirent *e, *se;
	int rc = 0;

	*drifted = 0;
	if (first && first_len)
		first[0] = '\0';
	util_buf_printf(&lib, "%s/lib", env_dir);
	if (!(d = opendir(lib.data))) {
		rc = pl_error_errno(err, lib.data, "cannot read");
		goto out;
	}
	while (rc == 0 && (e = readdir(d))) {
		if (strncmp(e->d_name, "python", 6))
			continue;
		util_buf_truncate(&site, 0);
		util_buf_printf(&site, "%s/%s/site-packages", lib.data, e->d_name);
		if (!(sd = opendir(site.data)))
			continue;
		while (rc == 0 && (se = readdir(sd))) {
			size_t n = strlen(se->d_name);
			if (n > 10 && !strcmp(se->d_name + n - 10, ".dist-info"))
				rc = wheel_record_verify(site.data, se->d_name, drifted, first, first_len, err);
		}
		closedir(sd);
	}
	closedir(d);
out:
	util_buf_free(&lib);
	util_buf_free(&site);
	return rc;
}

struct names {
	char **items;
	size_t n;
};

static void names_add(struct names *s, const char *name)
{
	s->items = util_xrealloc(s->items, (s->n + 1) * sizeof(*s->items));
	s->items[s->n++] = util_xstrdup(name);
}

static bool names_has(const struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->items[i], name))
			return true;
	return false;
}

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->items[i]);
	free(s->items);
}

/* Projects still on disk, and the environments they last built. */
static void kept_envs(const char *store, bool dry_run, struct names *envs)
{
	struct util_buf dir = UTIL_BUF_INIT, p = UTIL_BUF_INIT;
	DIR *d;
	struct dirent *e;

	util_buf_printf(&dir, "%s/projects", store);
	if ((d = opendir(dir.data))) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			util_buf_truncate(&p, 0);
			util_buf_printf(&p, "%s/%s", dir.data, e->d_name);
			/* A record's temporary file: with the store locked for gc
			 * no sync is writing one, so it is a killed run's. */
			if (e->d_name[0] == '.') {
				if (!dry_run)
					unlink(p.data);
				continue;
			}
			json_t *o = json_load_file(p.data, 0, NULL);
			const char *root = json_string_value(json_object_get(o, "root"));
			const char *id = json_string_value(json_object_get(o, "env_id"));
			const char *file = json_string_value(json_object_get(o, "lock_file"));
			struct util_buf lock = UTIL_BUF_INIT;
			/* A named lock's record goes with its lock. */
			util_buf_printf(&lock, "%s/%s", root ? root : "", file && !strchr(file, '/') ? file : "");
			bool kept = root && id && access(file ? lock.data : root, F_OK) == 0;
			util_buf_free(&lock);
			if (kept)
				names_add(envs, id);
			else if (!dry_run)
				unlink(p.data);
			json_decref(o);
		}
		closedir(d);
	}
	util_buf_free(&dir);
	util_buf_free(&p);
}

/* The wheels an environment was assembled from (its pylock-env.json). */
static void env_wheels(const char *store, const char *id, struct names *wheels)
{
	struct util_buf p = UTIL_BUF_INIT;
	json_t *o, *pkgs, *pkg;
	size_t i;

	util_buf_printf(&p, "%s/envs/%s/pylock-env.json", store, id);
	o = json_load_file(p.data, 0, NULL);
	pkgs = json_object_get(o, "packages");
	json_array_foreach(pkgs, i, pkg) {
		const char *sha = json_string_value(json_object_get(pkg, "sha256"));
		if (sha)
			names_add(wheels, sha);
	}
	json_decref(o);
	util_buf_free(&p);
}

static int drop(const char *path, const char *kind, bool dry_run,
		void (*report)(void *, const char *, const char *), void *arg, struct pl_error *err)
{
	if (report)
		report(arg, kind, path);
	return dry_run ? 0 : util_remove_tree(path, err);
}

/* Half-unpacked trees (.tmp-pythonX.Y-XXXXXX) in a wheel's folder that is
 * kept: with the store locked for gc, no sync is unpacking, so every one
 * is a killed run's. */
static int drop_partial_unpacks(const char *wheel, bool dry_run, void (*report)(void *, const char *, const char *),
				void *arg, struct pl_error *err)
{
	struct util_buf p = UTIL_BUF_INIT;
	DIR *d = opendir(wheel);
	struct dirent *e;
	int rc = 0;

	while (rc == 0 && d && (e = readdir(d))) {
		if (strncmp(e->d_name, ".tmp-", 5))
			continue;
		util_buf_truncate(&p, 0);
		util_buf_printf(&p, "%s/%s", wheel, e->d_name);
		rc = drop(p.data, "partial", dry_run, report, arg, err);
	}
	if (d)
		closedir(d);
	util_buf_free(&p);
	return rc;
}

int env_gc(const char *store, bool dry_run, void (*report)(void *arg, const char *kind, const char *path),
	   void *arg, struct pl_error *err)
{
	struct names keep = { 0 }, wheels = { 0 };
	struct util_buf dir = UTIL_BUF_INIT, p = UTIL_BUF_INIT;
	DIR *d;
	struct dirent *e;
	int rc = 0, store_lock = env_lock_open(store, "store", LOCK_EX, err);

	if (store_lock < 0)
		return -1;
	if (!dry_run)
		store_clean_stages(store);
	kept_envs(store, dry_run, &keep);
	util_buf_printf(&dir, "%s/envs", store);
	if ((d = opendir(dir.data))) {
		while (rc == 0 && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			bool partial = !strncmp(e->d_name, ".tmp-", 5);
			char id[65];
			snprintf(id, sizeof(id), "%.64s", partial ? e->d_name + 5 : e->d_name);
			util_buf_truncate(&p, 0);
			util_buf_printf(&p, "%s/%s", dir.data, e->d_name);
			if (!partial && names_has(&keep, id)) {
				env_wheels(store, id, &wheels);
				continue;
			}
			/* In use by a sandbox, or being built: never removed. */
			struct pl_error busy;
			int fd = env_lock_open(store, id, LOCK_EX | LOCK_NB, &busy);
			if (fd < 0) {
				if (!partial)
					env_wheels(store, id, &wheels);
				continue;
			}
			rc = drop(p.data, partial ? "partial" : "env", dry_run, report, arg, err);
			close(fd);
			if (rc == 0 && !partial && !dry_run) {
				char *lock = env_lock_path(store, id);
				unlink(lock);
				free(lock);
			}
		}
		closedir(d);
	}
	util_buf_truncate(&dir, 0);
	util_buf_printf(&dir, "%s/wheels", store);
	if (rc == 0 && (d = opendir(dir.data))) {
		while (rc == 0 && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			util_buf_truncate(&p, 0);
			util_buf_printf(&p, "%s/%s", dir.data, e->d_name);
			rc = names_has(&wheels, e->d_name) ? drop_partial_unpacks(p.data, dry_run, report, arg, err)
							   : drop(p.data, "wheel", dry_run, report, arg, err);
		}
		closedir(d);
	}
	names_free(&keep);
	names_free(&wheels);
	util_buf_free(&dir);
	util_buf_free(&p);
	close(store_lock);
	return rc;
}
