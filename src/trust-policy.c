/* The trust policy: policy.yaml read and checked (keys, registries,
 * allow-unsigned), and a project's [tool.pylock.trust] that may only tighten
 * it. */
#include "config.h"
#include "trust.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigstore.h"
#include "trust-internal.h"
#include "yamlconf.h"

static int node_fail(struct pl_error *err, const char *file, const struct yamlconf_node *n,
		     const char *msg, const char *arg)
{
	return pl_error_set(err, file, n->line, n->col, msg, arg);
}

static const char *scalar(const struct yamlconf_node *map, const char *key)
{
	const struct yamlconf_node *v = yamlconf_get(map, key);

	return v && v->kind == YAMLCONF_SCALAR ? v->scalar : NULL;
}

static int check_keys(const struct yamlconf_node *map, const char *file, const char *const *known,
		      struct pl_error *err)
{
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct yamlconf_node *k = map->items[i];
		size_t j;

		for (j = 0; known[j] && strcmp(known[j], k->scalar); j++)
			;
		if (!known[j])
			return node_fail(err, file, k, "unknown key '%s'", k->scalar);
	}
	return 0;
}

static int load_key(const struct yamlconf_node *entry, const char *file, const char *dir,
		    struct trust_key *key, struct pl_error *err)
{
	static const char *const known[] = { "id", "file", "pem", NULL };
	const char *id = scalar(entry, "id"), *path = scalar(entry, "file"), *pem = scalar(entry, "pem");
	char *text = NULL;
	size_t len;
	BIO *bio;

	if (entry->kind != YAMLCONF_MAP)
		return node_fail(err, file, entry, "a key is a map with 'id' and 'file' or 'pem'%s", "");
	if (check_keys(entry, file, known, err) < 0)
		return -1;
	if (!id || (!path == !pem))
		return node_fail(err, file, entry, "a key needs an 'id' and one of 'file' or 'pem'%s", "");
	if (!*id)
		return node_fail(err, file, yamlconf_get(entry, "id"), "a key's id must not be empty%s", "");
	if (path) {
		struct util_buf full = UTIL_BUF_INIT;
		struct pl_error ferr;

		if (path[0] == '/')
			util_buf_puts(&full, path);
		else
			util_buf_printf(&full, "%s/%s", dir, path);
		if (util_read_file(full.data, TRUST_SIG_MAX * 4, &text, &len, &ferr) < 0) {
			util_buf_free(&full);
			return node_fail(err, file, yamlconf_get(entry, "file"), "cannot read key file: %s", ferr.msg);
		}
		util_buf_free(&full);
	}
	bio = C(BIO_new_mem_buf)(text ? text : pem, -1);
	key->pkey = bio ? C(PEM_read_bio_PUBKEY)(bio, NULL, NULL, NULL) : NULL;
	C(BIO_free)(bio);
	free(text);
	if (!key->pkey)
		return node_fail(err, file, yamlconf_get(entry, path ? "file" : "pem"),
				 "key '%s' is not a PEM public key", id);
	if (!trust_key_supported(key->pkey)) {
		C(EVP_PKEY_free)(key->pkey);
		key->pkey = NULL;
		return node_fail(err, file, entry,
				 "key '%s' is of an unsupported type (pylock accepts ECDSA P-256 and Ed25519)", id);
	}
	key->name = util_xstrdup(id);
	key->at = (struct trust_place){ file, entry->line, entry->col };
	trust_key_id(key->pkey, key->key_id);
	return 0;
}

static int load_key_list(const struct yamlconf_node *list, const char *file, const char *dir,
			 struct trust_policy *p, char ***names, size_t *nnames, struct pl_error *err)
{
	if (list->kind != YAMLCONF_SEQ)
		return node_fail(err, file, list, "'keys' must be a list%s", "");
	for (size_t i = 0; i < list->n; i++) {
		p->keys = util_xrealloc(p->keys, (p->nkeys + 1) * sizeof(*p->keys));
		memset(&p->keys[p->nkeys], 0, sizeof(*p->keys));
		if (load_key(list->items[i], file, dir, &p->keys[p->nkeys], err) < 0)
			return -1;
		for (size_t k = 0; k < p->nkeys; k++)
			if (!strcmp(p->keys[k].name, p->keys[p->nkeys].name)) {
				C(EVP_PKEY_free)(p->keys[p->nkeys].pkey);
				free(p->keys[p->nkeys].name);
				return node_fail(err, file, yamlconf_get(list->items[i], "id"),
						 "key id '%s' is given twice", p->keys[k].name);
			}
		if (names) {
			*names = util_xrealloc(*names, (*nnames + 1) * sizeof(**names));
			(*names)[(*nnames)++] = util_xstrdup(p->keys[p->nkeys].name);
		}
		p->nkeys++;
	}
	return 0;
}

/* One of issuer / issuer-regexp (or san / san-regexp): exactly one, and a
 * regular expression that compiles. */
static int identity_field(const struct yamlconf_node *id, const char *file, const char *name, char **out,
			  bool *regexp, struct pl_error *err)
{
	char re_name[32];
	const char *exact = scalar(id, name), *re;
	regex_t compiled;

	snprintf(re_name, sizeof(re_name), "%s-regexp", name);
	re = scalar(id, re_name);
	if (!exact == !re)
		return node_fail(err, file, id, strcmp(name, "san") ? "a sigstore identity needs one of 'issuer' and "
				 "'issuer-regexp'%s" : "a sigstore identity needs one of 'san' and 'san-regexp'%s", "");
	if (re) {
		if (regcomp(&compiled, re, REG_EXTENDED | REG_NOSUB))
			return node_fail(err, file, yamlconf_get(id, re_name), "'%s' is not an extended regular expression",
					 re);
		regfree(&compiled);
	}
	*out = util_xstrdup(exact ? exact : re);
	*regexp = re != NULL;
	return 0;
}

static int load_sigstore(const struct yamlconf_node *s, const char *file, const char *dir, struct trust_policy *p,
			 struct pl_error *err)
{
	static const char *const known[] = { "trusted-root", "identities", NULL };
	static const char *const id_keys[] = { "issuer", "issuer-regexp", "san", "san-regexp", NULL };
	const struct yamlconf_node *ids = yamlconf_get(s, "identities"), *root = yamlconf_get(s, "trusted-root");

	if (s->kind != YAMLCONF_MAP)
		return node_fail(err, file, s, "'sigstore' must be a map%s", "");
	if (check_keys(s, file, known, err) < 0)
		return -1;
	if (root) {
		struct util_buf full = UTIL_BUF_INIT;
		struct pl_error rerr;

		if (root->kind != YAMLCONF_SCALAR || !root->scalar[0])
			return node_fail(err, file, root, "trusted-root must be a file name%s", "");
		if (root->scalar[0] == '/')
			util_buf_puts(&full, root->scalar);
		else
			util_buf_printf(&full, "%s/%s", dir, root->scalar);
		p->sigstore_root_path = util_buf_steal(&full);
		if (sigstore_root_load(p->sigstore_root_path, &p->sigstore_root, &rerr) < 0)
			return node_fail(err, file, root, "trusted-root: %s", rerr.msg);
	}
	if (!ids)
		return 0;
	if (ids->kind != YAMLCONF_SEQ)
		return node_fail(err, file, ids, "'identities' must be a list%s", "");
	p->sigstore_ids = util_xcalloc(ids->n + 1, sizeof(*p->sigstore_ids));
	for (size_t i = 0; i < ids->n; i++) {
		const struct yamlconf_node *id = ids->items[i];
		struct trust_sigstore_identity *t = &p->sigstore_ids[p->nsigstore_ids];

		if (id->kind != YAMLCONF_MAP)
			return node_fail(err, file, id, "a sigstore identity is a map of issuer and san%s", "");
		if (check_keys(id, file, id_keys, err) < 0 ||
		    identity_field(id, file, "issuer", &t->issuer, &t->issuer_regexp, err) < 0)
			return -1;
		p->nsigstore_ids++;
		if (identity_field(id, file, "san", &t->san, &t->san_regexp, err) < 0)
			return -1;
		t->at = (struct trust_place){ file, id->line, id->col };
	}
	return 0;
}

static int load_policy(const struct yamlconf_node *root, const char *file, const char *dir,
		       struct trust_policy *p, struct pl_error *err)
{
	static const char *const top[] = { "mode", "keys", "registries", "allow-unsigned", "sigstore", NULL };
	static const char *const reg_keys[] = { "name", "url", "mirror", "keys", NULL };
	static const char *const allow_keys[] = { "name", "version", "index", "reason", NULL };
	const struct yamlconf_node *v;

	if (root->kind != YAMLCONF_MAP)
		return node_fail(err, file, root, "the policy must be a map%s", "");
	if (check_keys(root, file, top, err) < 0)
		return -1;
	if ((v = yamlconf_get(root, "mode"))) {
		if (v->kind != YAMLCONF_SCALAR)
			return node_fail(err, file, v, "mode must be enforce, warn or off%s", "");
		p->mode_at = (struct trust_place){ file, v->line, v->col };
		if (!strcmp(v->scalar, "enforce"))
			p->mode = TRUST_ENFORCE;
		else if (!strcmp(v->scalar, "warn"))
			p->mode = TRUST_WARN;
		else if (!strcmp(v->scalar, "off"))
			p->mode = TRUST_OFF;
		else
			return node_fail(err, file, v, "mode must be enforce, warn or off, not '%s'", v->scalar);
	}
	/* Top-level keys first; the registries' keys follow them in p->keys. */
	if ((v = yamlconf_get(root, "keys")) && load_key_list(v, file, dir, p, NULL, NULL, err) < 0)
		return -1;
	if ((v = yamlconf_get(root, "registries"))) {
		if (v->kind != YAMLCONF_SEQ)
			return node_fail(err, file, v, "'registries' must be a list%s", "");
		for (size_t i = 0; i < v->n; i++) {
			const struct yamlconf_node *r = v->items[i], *keys;
			struct trust_registry *reg;

			if (r->kind != YAMLCONF_MAP || check_keys(r, file, reg_keys, err) < 0)
				return r->kind != YAMLCONF_MAP ? node_fail(err, file, r, "a registry is a map%s", "") : -1;
			if (!scalar(r, "name") || !scalar(r, "url"))
				return node_fail(err, file, r, "a registry needs a 'name' and a 'url'%s", "");
			p->registries = util_xrealloc(p->registries, (p->nregistries + 1) * sizeof(*p->registries));
			reg = &p->registries[p->nregistries++];
			memset(reg, 0, sizeof(*reg));
			reg->name = util_xstrdup(scalar(r, "name"));
			reg->url = util_xstrdup(scalar(r, "url"));
			reg->mirror = scalar(r, "mirror") ? util_xstrdup(scalar(r, "mirror")) : NULL;
			reg->at = (struct trust_place){ file, r->line, r->col };
			if ((keys = yamlconf_get(r, "keys")) &&
			    load_key_list(keys, file, dir, p, &reg->keys, &reg->nkeys, err) < 0)
				return -1;
		}
	}
	if ((v = yamlconf_get(root, "sigstore")) && load_sigstore(v, file, dir, p, err) < 0)
		return -1;
	if ((v = yamlconf_get(root, "allow-unsigned"))) {
		if (v->kind != YAMLCONF_SEQ)
			return node_fail(err, file, v, "'allow-unsigned' must be a list%s", "");
		for (size_t i = 0; i < v->n; i++) {
			const struct yamlconf_node *a = v->items[i];
			struct trust_allow *al;

			if (a->kind != YAMLCONF_MAP || check_keys(a, file, allow_keys, err) < 0)
				return a->kind != YAMLCONF_MAP ? node_fail(err, file, a, "an allow-unsigned entry is a map%s", "") : -1;
			/* A name (or glob) with a version, or an index: never nothing. */
			if ((!scalar(a, "name") && !scalar(a, "index")) || !scalar(a, "reason") ||
			    (scalar(a, "name") && !scalar(a, "version")))
				return node_fail(err, file, a, "allow-unsigned needs a 'reason' and a 'name' (a glob) with a "
						 "'version' (or \"*\"), or an 'index'%s", "");
			p->allow = util_xrealloc(p->allow, (p->nallow + 1) * sizeof(*p->allow));
			al = &p->allow[p->nallow++];
			al->name = util_xstrdup(scalar(a, "name") ? scalar(a, "name") : "*");
			al->version = util_xstrdup(scalar(a, "version") ? scalar(a, "version") : "*");
			al->index = scalar(a, "index") ? util_xstrdup(scalar(a, "index")) : NULL;
			al->reason = util_xstrdup(scalar(a, "reason"));
			al->at = (struct trust_place){ file, a->line, a->col };
		}
	}
	return 0;
}

int trust_policy_load(const char *path, struct trust_policy *p, struct pl_error *err)
{
	struct yamlconf_node *root;
	char *dir;
	int rc;

	memset(p, 0, sizeof(*p));
	p->mode = TRUST_ENFORCE;
	p->path = util_xstrdup(path);
	if (trust_init(err) < 0) {
		trust_policy_fini(p);
		return -1;
	}
	if ((rc = yamlconf_load_file(path, &root, err)) != 0) {
		if (rc < 0)
			trust_policy_fini(p);
		return rc > 0 ? 0 : -1;
	}
	dir = util_xstrdup(path);
	*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	rc = load_policy(root, p->path, dir[0] ? dir : ".", p, err);
	free(dir);
	yamlconf_free(root);
	if (rc < 0)
		trust_policy_fini(p);
	return rc;
}

static int mode_rank(enum trust_mode m)
{
	return m == TRUST_ENFORCE ? 2 : m == TRUST_WARN ? 1 : 0;
}

int trust_policy_tighten(struct trust_policy *p, const struct toml_value *trust, const char *file,
			 struct pl_error *err)
{
	if (!trust)
		return 0;
	free(p->project_file);
	p->project_file = util_xstrdup(file);
	file = p->project_file;	/* places point into the policy's own copy */
	if (trust->type != TOML_TABLE)
		return pl_error_set(err, file, (int)trust->line, (int)trust->col, "[tool.pylock.trust] must be a table");
	for (size_t i = 0; i < trust->u.table.len; i++) {
		const struct toml_pair *pr = &trust->u.table.items[i];
		const struct toml_value *v = pr->value;

		if (!strcmp(pr->key, "mode")) {
			enum trust_mode m;
			if (v->type != TOML_STRING || (strcmp(v->u.str.ptr, "enforce") && strcmp(v->u.str.ptr, "warn") &&
						       strcmp(v->u.str.ptr, "off")))
				return pl_error_set(err, file, (int)v->line, (int)v->col, "mode must be enforce, warn or off");
			m = !strcmp(v->u.str.ptr, "enforce") ? TRUST_ENFORCE : !strcmp(v->u.str.ptr, "warn") ? TRUST_WARN : TRUST_OFF;
			if (mode_rank(m) < mode_rank(p->mode))
				return pl_error_set(err, file, (int)v->line, (int)v->col,
						    "a project may only tighten the trust policy: mode %s is looser than the global %s",
						    v->u.str.ptr, trust_mode_name(p->mode));
			p->mode = m;
			p->mode_at = (struct trust_place){ file, v->line, v->col };
		} else if (!strcmp(pr->key, "keys")) {
			if (v->type != TOML_ARRAY)
				return pl_error_set(err, file, (int)v->line, (int)v->col, "keys must be a list of key ids");
			for (size_t k = 0; k < v->u.array.len; k++) {
				const struct toml_value *id = v->u.array.items[k];
				bool known = false;
				for (size_t j = 0; id->type == TOML_STRING && j < p->nkeys; j++)
					known |= !strcmp(p->keys[j].name, id->u.str.ptr);
				if (!known)
					return pl_error_set(err, file, (int)id->line, (int)id->col,
							    "a project may only name keys the trust policy has");
			}
			for (size_t j = 0; j < p->nkeys; j++) {
				bool listed = false;
				for (size_t k = 0; k < v->u.array.len; k++)
					listed |= !strcmp(p->keys[j].name, v->u.array.items[k]->u.str.ptr);
				if (!listed && !p->keys[j].distrusted)
					p->keys[j].distrusted_at = (struct trust_place){ file, v->line, v->col };
				p->keys[j].distrusted |= !listed;
			}
		} else
			return pl_error_set(err, file, (int)pr->line, (int)pr->col,
					    "'%s' is not a project trust setting (mode and keys may only tighten the policy)",
					    pr->key);
	}
	return 0;
}

int trust_policy_load_default(struct trust_policy *p, struct pl_error *err)
{
	char *path = util_dir_file(UTIL_DIR_CONFIG, "policy.yaml", err);
	int rc;

	if (!path) {
		memset(p, 0, sizeof(*p));
		return -1;
	}
	rc = trust_policy_load(path, p, err);
	free(path);
	return rc;
}

int trust_policy_load_project(const struct toml_value *tool_pylock, const char *pyproject_path,
			      struct trust_policy *p, struct pl_error *err)
{
	if (trust_policy_load_default(p, err) < 0)
		return -1;
	if (trust_policy_tighten(p, toml_get(tool_pylock, "trust"), pyproject_path, err) < 0) {
		trust_policy_fini(p);
		memset(p, 0, sizeof(*p));
		return -1;
	}
	return 0;
}

void trust_policy_fini(struct trust_policy *p)
{
	for (size_t i = 0; i < p->nkeys; i++) {
		free(p->keys[i].name);
		C(EVP_PKEY_free)(p->keys[i].pkey);
	}
	free(p->keys);
	for (size_t i = 0; i < p->nregistries; i++) {
		struct trust_registry *r = &p->registries[i];
		free(r->name);
		free(r->url);
		free(r->mirror);
		for (size_t k = 0; k < r->nkeys; k++)
			free(r->keys[k]);
		free(r->keys);
	}
	free(p->registries);
	for (size_t i = 0; i < p->nallow; i++) {
		free(p->allow[i].name);
		free(p->allow[i].version);
		free(p->allow[i].reason);
		free(p->allow[i].index);
	}
	free(p->allow);
	for (size_t i = 0; i < p->nsigstore_ids; i++) {
		free(p->sigstore_ids[i].issuer);
		free(p->sigstore_ids[i].san);
	}
	free(p->sigstore_ids);
	free(p->sigstore_root_path);
	sigstore_root_free(p->sigstore_root);
	free(p->path);
	free(p->project_file);
	memset(p, 0, sizeof(*p));
}
