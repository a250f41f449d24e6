/* Keys, signatures and the trust policy, through OpenSSL 3's EVP API. */
#include "config.h"
#include "trust.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <pthread.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dl.h"
#include "pep508.h"
#include "yamlconf.h"

#define ED25519_MAX_FILE (1u << 30)	/* pure Ed25519 needs the whole file in memory */

/* libcrypto (4 MB) is loaded on first use: linked, it would cost every
 * pylock command, `pylock run` included, a millisecond at start-up. The
 * headers still type every call. */
#define CRYPTO_FUNCTIONS(X) \
	X(EVP_Digest) \
	X(EVP_sha256) \
	X(i2d_PUBKEY) \
	X(CRYPTO_free) \
	X(EVP_PKEY_is_a) \
	X(EVP_PKEY_get_utf8_string_param) \
	X(BIO_new_mem_buf) \
	X(PEM_read_bio_PUBKEY) \
	X(BIO_free) \
	X(EVP_PKEY_free) \
	X(EVP_PKEY_Q_keygen) \
	X(BIO_new) \
	X(BIO_s_mem) \
	X(PEM_write_bio_PrivateKey) \
	X(PEM_write_bio_PUBKEY) \
	X(BIO_ctrl) \
	X(EVP_MD_CTX_new) \
	X(EVP_MD_CTX_free) \
	X(PEM_read_bio_PrivateKey) \
	X(EVP_DigestSignInit) \
	X(EVP_DigestSign) \
	X(EVP_EncodeBlock) \
	X(EVP_DigestInit_ex) \
	X(EVP_DigestUpdate) \
	X(EVP_DigestFinal_ex) \
	X(EVP_ENCODE_CTX_new) \
	X(EVP_ENCODE_CTX_free) \
	X(EVP_DecodeInit) \
	X(EVP_DecodeUpdate) \
	X(EVP_DecodeFinal) \
	X(EVP_DigestVerifyInit) \
	X(EVP_DigestVerify) \
	X(EVP_PKEY_CTX_new) \
	X(EVP_PKEY_verify_init) \
	X(EVP_PKEY_CTX_set_signature_md) \
	X(EVP_PKEY_verify) \
	X(EVP_PKEY_CTX_free)

static DL_TABLE(CRYPTO_FUNCTIONS) crypto_fn;

#define C(f) (crypto_fn.f)

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static const char *crypto_error;

static void load_crypto(void)
{
	crypto_error = DL_LOAD(LIBCRYPTO_SONAME, CRYPTO_FUNCTIONS, crypto_fn);
}

int trust_init(struct pl_error *err)
{
	pthread_once(&crypto_once, load_crypto);
	if (crypto_error)
		return pl_error_set(err, NULL, 0, 0, "cannot load libcrypto (%s): %s", LIBCRYPTO_SONAME, crypto_error);
	return 0;
}

const char *trust_status_name(enum trust_status s)
{
	static const char *const names[] = {
		[TRUST_HASH_MISMATCH] = "hash-mismatch", [TRUST_BAD_SIGNATURE] = "bad-signature",
		[TRUST_UNTRUSTED_SIGNER] = "untrusted-signer", [TRUST_UNSIGNED] = "unsigned",
		[TRUST_MISSING] = "missing", [TRUST_UNHASHED] = "unhashed",
		[TRUST_ALLOWED_UNSIGNED] = "allowed-unsigned", [TRUST_VERIFIED] = "verified",
	};
	return names[s];
}

const char *trust_mode_name(enum trust_mode m)
{
	return m == TRUST_ENFORCE ? "enforce" : m == TRUST_WARN ? "warn" : "off";
}

static void key_id(EVP_PKEY *k, char out[17])
{
	unsigned char *der = NULL, md[32];
	unsigned int mdlen = 0;
	int n = C(i2d_PUBKEY)(k, &der);

	out[0] = '\0';
	if (n <= 0)
		return;
	C(EVP_Digest)(der, (size_t)n, md, &mdlen, C(EVP_sha256)(), NULL);
	C(CRYPTO_free)(der, __FILE__, __LINE__);
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static bool supported_key(EVP_PKEY *k)
{
	char group[64];

	if (C(EVP_PKEY_is_a)(k, "ED25519"))
		return true;
	return C(EVP_PKEY_is_a)(k, "EC") &&
	       C(EVP_PKEY_get_utf8_string_param)(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) &&
	       (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"));
}

/* ---- the policy ---- */

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
	if (!supported_key(key->pkey)) {
		C(EVP_PKEY_free)(key->pkey);
		key->pkey = NULL;
		return node_fail(err, file, entry,
				 "key '%s' is of an unsupported type (pylock accepts ECDSA P-256 and Ed25519)", id);
	}
	key->name = util_xstrdup(id);
	key_id(key->pkey, key->key_id);
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

static int load_policy(const struct yamlconf_node *root, const char *file, const char *dir,
		       struct trust_policy *p, struct pl_error *err)
{
	static const char *const top[] = { "mode", "keys", "registries", "allow-unsigned", NULL };
	static const char *const reg_keys[] = { "name", "url", "mirror", "keys", NULL };
	static const char *const allow_keys[] = { "name", "version", "reason", NULL };
	const struct yamlconf_node *v;

	if (root->kind != YAMLCONF_MAP)
		return node_fail(err, file, root, "the policy must be a map%s", "");
	if (check_keys(root, file, top, err) < 0)
		return -1;
	if ((v = yamlconf_get(root, "mode"))) {
		if (v->kind != YAMLCONF_SCALAR)
			return node_fail(err, file, v, "mode must be enforce, warn or off%s", "");
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
			if ((keys = yamlconf_get(r, "keys")) &&
			    load_key_list(keys, file, dir, p, &reg->keys, &reg->nkeys, err) < 0)
				return -1;
		}
	}
	if ((v = yamlconf_get(root, "allow-unsigned"))) {
		if (v->kind != YAMLCONF_SEQ)
			return node_fail(err, file, v, "'allow-unsigned' must be a list%s", "");
		for (size_t i = 0; i < v->n; i++) {
			const struct yamlconf_node *a = v->items[i];
			struct trust_allow *al;

			if (a->kind != YAMLCONF_MAP || check_keys(a, file, allow_keys, err) < 0)
				return a->kind != YAMLCONF_MAP ? node_fail(err, file, a, "an allow-unsigned entry is a map%s", "") : -1;
			if (!scalar(a, "name") || !scalar(a, "version") || !scalar(a, "reason"))
				return node_fail(err, file, a, "allow-unsigned needs 'name', 'version' and 'reason'%s", "");
			p->allow = util_xrealloc(p->allow, (p->nallow + 1) * sizeof(*p->allow));
			al = &p->allow[p->nallow++];
			al->name = util_xstrdup(scalar(a, "name"));
			al->version = util_xstrdup(scalar(a, "version"));
			al->reason = util_xstrdup(scalar(a, "reason"));
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
	if (trust_init(err) < 0)
		return -1;
	if ((rc = yamlconf_load_file(path, &root, err)) != 0)
		return rc > 0 ? 0 : -1;
	dir = util_xstrdup(path);
	*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	rc = load_policy(root, path, dir[0] ? dir : ".", p, err);
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
	}
	free(p->allow);
	memset(p, 0, sizeof(*p));
}

/* ---- keys and signing ---- */

static int write_new(const char *path, const void *data, size_t len, mode_t mode, struct pl_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	ssize_t n;

	if (fd < 0)
		return pl_error_errno(err, path, errno == EEXIST ? "exists already; not overwriting a key" : "cannot create");
	n = write(fd, data, len);
	if (n != (ssize_t)len || fsync(fd) < 0) {
		pl_error_errno(err, path, "cannot write");
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

static int bio_to_file(BIO *bio, const char *path, mode_t mode, struct pl_error *err)
{
	char *data;
	long len = C(BIO_ctrl)(bio, BIO_CTRL_INFO, 0, &data);

	return write_new(path, data, (size_t)len, mode, err);
}

int trust_key_generate(const char *name, char id[17], struct pl_error *err)
{
	if (trust_init(err) < 0)
		return -1;

	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	if (!*base)
		return pl_error_set(err, NULL, 0, 0, "'%s': a key needs a name (NAME.key and NAME.pub are written)", name);

	struct util_buf priv = UTIL_BUF_INIT, pub = UTIL_BUF_INIT;
	EVP_PKEY *k = C(EVP_PKEY_Q_keygen)(NULL, NULL, "EC", "P-256");
	BIO *bpriv = C(BIO_new)(C(BIO_s_mem)()), *bpub = C(BIO_new)(C(BIO_s_mem)());
	int rc = -1;

	util_buf_printf(&priv, "%s.key", name);
	util_buf_printf(&pub, "%s.pub", name);
	if (!k || !bpriv || !bpub || !C(PEM_write_bio_PrivateKey)(bpriv, k, NULL, NULL, 0, NULL, NULL) ||
	    !C(PEM_write_bio_PUBKEY)(bpub, k)) {
		pl_error_set(err, NULL, 0, 0, "cannot generate a key");
		goto out;
	}
	if (access(pub.data, F_OK) == 0) {
		pl_error_set(err, pub.data, 0, 0, "exists already; not overwriting a key");
		goto out;
	}
	if (bio_to_file(bpriv, priv.data, 0600, err) < 0)
		goto out;
	if (bio_to_file(bpub, pub.data, 0644, err) < 0) {
		unlink(priv.data);
		goto out;
	}
	key_id(k, id);
	rc = 0;
out:
	C(BIO_free)(bpriv);
	C(BIO_free)(bpub);
	C(EVP_PKEY_free)(k);
	util_buf_free(&priv);
	util_buf_free(&pub);
	return rc;
}

/* OpenSSL asks for an encrypted key's passphrase on the terminal when no
 * callback answers: pylock never prompts, it says the key is encrypted. */
static int no_passphrase(char *buf, int size, int rwflag, void *encrypted)
{
	*(bool *)encrypted = true;
	return -1;
}

int trust_sign_file(const char *key_path, const char *file, char id[17], struct pl_error *err)
{
	if (trust_init(err) < 0)
		return -1;

	char *keytext = NULL, *data = NULL;
	size_t keylen, len;
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *ctx = C(EVP_MD_CTX_new)();
	unsigned char sig[256];
	size_t siglen = sizeof(sig);
	struct util_buf out = UTIL_BUF_INIT, sigpath = UTIL_BUF_INIT;
	BIO *bio;
	bool encrypted = false;
	int rc = -1;

	if (util_read_file(key_path, TRUST_SIG_MAX * 4, &keytext, &keylen, err) < 0)
		goto out;
	bio = C(BIO_new_mem_buf)(keytext, (int)keylen);
	k = bio ? C(PEM_read_bio_PrivateKey)(bio, NULL, no_passphrase, &encrypted) : NULL;
	C(BIO_free)(bio);
	if (encrypted) {
		pl_error_set(err, key_path, 0, 0, "is encrypted; pylock signs with unencrypted keys only (openssl pkey "
			     "-in KEY -out PLAIN)");
		goto out;
	}
	if (!k || !supported_key(k)) {
		pl_error_set(err, key_path, 0, 0, k ? "unsupported key type (ECDSA P-256 or Ed25519)" : "not a PEM private key");
		goto out;
	}
	if (util_read_file(file, ED25519_MAX_FILE, &data, &len, err) < 0)
		goto out;
	bool ed = C(EVP_PKEY_is_a)(k, "ED25519");
	if (!ctx || C(EVP_DigestSignInit)(ctx, NULL, ed ? NULL : C(EVP_sha256)(), NULL, k) != 1 ||
	    C(EVP_DigestSign)(ctx, sig, &siglen, (unsigned char *)data, len) != 1) {
		pl_error_set(err, file, 0, 0, "cannot sign");
		goto out;
	}
	if (ed)
		util_buf_add(&out, sig, siglen);
	else {
		char b64[512];
		int n = C(EVP_EncodeBlock)((unsigned char *)b64, sig, (int)siglen);
		util_buf_add(&out, b64, (size_t)n);
		util_buf_putc(&out, '\n');
	}
	util_buf_printf(&sigpath, "%s.sig", file);
	if (util_write_atomic(sigpath.data, out.data, out.len, 0644, err) < 0)
		goto out;
	key_id(k, id);
	rc = 0;
out:
	C(EVP_MD_CTX_free)(ctx);
	C(EVP_PKEY_free)(k);
	free(keytext);
	free(data);
	util_buf_free(&out);
	util_buf_free(&sigpath);
	return rc;
}

/* ---- checking files ---- */

int trust_sha256_file(const char *path, char hex[65], struct pl_error *err)
{
	if (trust_init(err) < 0)
		return -1;

	EVP_MD_CTX *ctx = C(EVP_MD_CTX_new)();
	unsigned char md[32], *buf = util_xmalloc(1 << 20);
	unsigned int mdlen;
	int fd = util_open_regular(path, NULL, err), rc = -1;
	ssize_t n;

	if (fd < 0)
		goto out;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (!ctx || C(EVP_DigestInit_ex)(ctx, C(EVP_sha256)(), NULL) != 1)
		goto out;
	while ((n = read(fd, buf, 1 << 20)) > 0)
		C(EVP_DigestUpdate)(ctx, buf, (size_t)n);
	if (n < 0) {
		pl_error_errno(err, path, "cannot read");
		goto out;
	}
	C(EVP_DigestFinal_ex)(ctx, md, &mdlen);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	C(EVP_MD_CTX_free)(ctx);
	return rc;
}

struct trust_sha256 *trust_sha256_new(struct pl_error *err)
{
	EVP_MD_CTX *ctx;

	if (trust_init(err) < 0)
		return NULL;
	if (!(ctx = C(EVP_MD_CTX_new)()) || C(EVP_DigestInit_ex)(ctx, C(EVP_sha256)(), NULL) != 1) {
		C(EVP_MD_CTX_free)(ctx);
		pl_error_set(err, NULL, 0, 0, "libcrypto cannot start a sha256");
		return NULL;
	}
	return (struct trust_sha256 *)ctx;
}

void trust_sha256_update(struct trust_sha256 *h, const void *data, size_t len)
{
	C(EVP_DigestUpdate)((EVP_MD_CTX *)h, data, len);
}

void trust_sha256_final(struct trust_sha256 *h, char hex[65])
{
	unsigned char md[32];
	unsigned int mdlen;

	C(EVP_DigestFinal_ex)((EVP_MD_CTX *)h, md, &mdlen);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	C(EVP_MD_CTX_free)((EVP_MD_CTX *)h);
}

/* ---- the hash cache ---- */

struct cache_entry {
	uint64_t dev, ino, size, mtime_ns;
	char hex[65];
	bool used;
};

struct trust_cache {
	char *path;
	struct cache_entry *slots;
	size_t cap, n;
	bool dirty;
	pthread_mutex_t lock;
};

static size_t slot_of(const struct trust_cache *c, uint64_t dev, uint64_t ino)
{
	uint64_t h = (dev * 0x9e3779b97f4a7c15ull) ^ (ino * 0xc2b2ae3d27d4eb4full);

	return (size_t)(h ^ (h >> 29)) & (c->cap - 1);
}

static void cache_put_locked(struct trust_cache *c, const struct cache_entry *e)
{
	if ((c->n + 1) * 2 > c->cap) {
		struct cache_entry *old = c->slots;
		size_t oldcap = c->cap;

		c->cap = c->cap ? c->cap * 2 : 1024;
		c->slots = util_xcalloc(c->cap, sizeof(*c->slots));
		c->n = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].used)
				cache_put_locked(c, &old[i]);
		free(old);
	}
	size_t i = slot_of(c, e->dev, e->ino);
	while (c->slots[i].used && !(c->slots[i].dev == e->dev && c->slots[i].ino == e->ino))
		i = (i + 1) & (c->cap - 1);
	if (!c->slots[i].used)
		c->n++;
	c->slots[i] = *e;
	c->slots[i].used = true;
}

struct trust_cache *trust_cache_open(const char *path)
{
	struct trust_cache *c = util_xcalloc(1, sizeof(*c));
	struct pl_error err;
	char *text;
	size_t len;

	pthread_mutex_init(&c->lock, NULL);
	c->path = util_xstrdup(path);
	if (util_read_file(path, 64u << 20, &text, &len, &err) < 0)
		return c;
	/* One line per file: dev ino size mtime_ns sha256. Bad lines are dropped. */
	for (char *line = text, *next; *line; line = next) {
		struct cache_entry e = { 0 };
		unsigned long long dev, ino, size, mt;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (sscanf(line, "%llu %llu %llu %llu %64s", &dev, &ino, &size, &mt, e.hex) == 5 &&
		    strlen(e.hex) == 64) {
			e.dev = dev;
			e.ino = ino;
			e.size = size;
			e.mtime_ns = mt;
			cache_put_locked(c, &e);
		}
	}
	free(text);
	return c;
}

struct trust_cache *trust_cache_open_default(void)
{
	struct pl_error err;
	char *path = util_dir_file(UTIL_DIR_CACHE, "hashes", &err);
	struct trust_cache *c = path ? trust_cache_open(path) : NULL;

	free(path);
	return c;
}

static void stat_key(const struct stat *st, struct cache_entry *e)
{
	e->dev = (uint64_t)st->st_dev;
	e->ino = (uint64_t)st->st_ino;
	e->size = (uint64_t)st->st_size;
	e->mtime_ns = (uint64_t)st->st_mtim.tv_sec * 1000000000ull + (uint64_t)st->st_mtim.tv_nsec;
}

static bool cache_get(struct trust_cache *c, const struct stat *st, char hex[65])
{
	struct cache_entry k;
	bool found = false;

	if (!c)
		return false;
	stat_key(st, &k);
	pthread_mutex_lock(&c->lock);
	if (c->cap) {
		size_t i = slot_of(c, k.dev, k.ino);
		while (c->slots[i].used) {
			struct cache_entry *e = &c->slots[i];
			if (e->dev == k.dev && e->ino == k.ino) {
				found = e->size == k.size && e->mtime_ns == k.mtime_ns;
				if (found)
					memcpy(hex, e->hex, 65);
				break;
			}
			i = (i + 1) & (c->cap - 1);
		}
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}

static void cache_put(struct trust_cache *c, const struct stat *st, const char hex[65])
{
	struct cache_entry e;

	if (!c)
		return;
	stat_key(st, &e);
	memcpy(e.hex, hex, 65);
	pthread_mutex_lock(&c->lock);
	cache_put_locked(c, &e);
	c->dirty = true;
	pthread_mutex_unlock(&c->lock);
}

int trust_cache_close(struct trust_cache *c, struct pl_error *err)
{
	struct util_buf b = UTIL_BUF_INIT;
	int rc = 0;

	if (!c)
		return 0;
	if (c->dirty) {
		char *dir = util_xstrdup(c->path);
		*strrchr(dir, '/') = '\0';
		for (size_t i = 0; i < c->cap; i++)
			if (c->slots[i].used)
				util_buf_printf(&b, "%llu %llu %llu %llu %s\n", (unsigned long long)c->slots[i].dev,
						(unsigned long long)c->slots[i].ino, (unsigned long long)c->slots[i].size,
						(unsigned long long)c->slots[i].mtime_ns, c->slots[i].hex);
		rc = util_mkdir_p(dir, 0700, err) < 0 ? -1
		   : util_write_atomic(c->path, util_buf_str(&b), b.len, 0600, err);
		free(dir);
	}
	util_buf_free(&b);
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
	free(c->path);
	free(c);
	return rc;
}

/* A signature file: base64 (cosign, openssl | base64) or raw bytes. */
static size_t decode_sig(const char *text, size_t len, unsigned char *out, size_t max)
{
	bool b64 = len > 0;
	int n, m;

	for (size_t i = 0; i < len && b64; i++) {
		unsigned char c = (unsigned char)text[i];
		b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/' || c == '=' || c == '\n' || c == '\r';
	}
	if (!b64) {
		if (len > max)
			return 0;
		memcpy(out, text, len);
		return len;
	}
	EVP_ENCODE_CTX *ctx = C(EVP_ENCODE_CTX_new)();
	unsigned char *tmp = util_xmalloc(len + 4);
	C(EVP_DecodeInit)(ctx);
	if (C(EVP_DecodeUpdate)(ctx, tmp, &n, (const unsigned char *)text, (int)len) < 0 ||
	    C(EVP_DecodeFinal)(ctx, tmp + n, &m) < 0 || (size_t)(n + m) > max) {
		C(EVP_ENCODE_CTX_free)(ctx);
		free(tmp);
		return 0;
	}
	C(EVP_ENCODE_CTX_free)(ctx);
	memcpy(out, tmp, (size_t)(n + m));
	free(tmp);
	return (size_t)(n + m);
}

static bool verify_with(EVP_PKEY *k, const unsigned char *sig, size_t siglen, const unsigned char digest[32],
			const char *path)
{
	bool ok = false;

	if (C(EVP_PKEY_is_a)(k, "ED25519")) {
		char *data;
		size_t len;
		struct pl_error err;
		EVP_MD_CTX *ctx;

		if (siglen != 64 || util_read_file(path, ED25519_MAX_FILE, &data, &len, &err) < 0)
			return false;
		ctx = C(EVP_MD_CTX_new)();
		ok = ctx && C(EVP_DigestVerifyInit)(ctx, NULL, NULL, NULL, k) == 1 &&
		     C(EVP_DigestVerify)(ctx, sig, siglen, (unsigned char *)data, len) == 1;
		C(EVP_MD_CTX_free)(ctx);
		free(data);
		return ok;
	}
	/* ECDSA over the SHA-256 already computed for the hash check. */
	EVP_PKEY_CTX *pctx = C(EVP_PKEY_CTX_new)(k, NULL);
	ok = pctx && C(EVP_PKEY_verify_init)(pctx) == 1 && C(EVP_PKEY_CTX_set_signature_md)(pctx, C(EVP_sha256)()) == 1 &&
	     C(EVP_PKEY_verify)(pctx, sig, siglen, digest, 32) == 1;
	C(EVP_PKEY_CTX_free)(pctx);
	return ok;
}

static const struct trust_registry *registry_for(const struct trust_policy *p, const char *index)
{
	for (size_t i = 0; index && i < p->nregistries; i++) {
		size_t a = strlen(index), b = strlen(p->registries[i].url);
		while (a && index[a - 1] == '/')
			a--;
		while (b && p->registries[i].url[b - 1] == '/')
			b--;
		if (a == b && !strncmp(index, p->registries[i].url, a))
			return &p->registries[i];
	}
	return NULL;
}

/* Trusted for a file: its registry's own keys when it names some, else the
 * top-level keys (those that no registry lists). */
static bool trusted(const struct trust_policy *p, const struct trust_registry *reg, const struct trust_key *k)
{
	bool in_some_registry = false;

	if (k->distrusted)
		return false;
	for (size_t i = 0; i < p->nregistries; i++)
		for (size_t j = 0; j < p->registries[i].nkeys; j++)
			if (!strcmp(p->registries[i].keys[j], k->name)) {
				if (reg == &p->registries[i])
					return true;
				in_some_registry = true;
			}
	return !in_some_registry && !(reg && reg->nkeys);
}

static bool allowed_unsigned(const struct trust_policy *p, const char *name, const char *version)
{
	char a[PEP508_MAX_NAME], b[PEP508_MAX_NAME];

	if (strlen(name) >= sizeof(a))
		return false;
	pep508_normalize_name(name, a);
	for (size_t i = 0; i < p->nallow; i++) {
		if (strlen(p->allow[i].name) >= sizeof(b))
			continue;
		pep508_normalize_name(p->allow[i].name, b);
		if (!strcmp(a, b) && (!strcmp(p->allow[i].version, "*") ||
				      (version && !strcmp(p->allow[i].version, version))))
			return true;
	}
	return false;
}

static void hex_to_bytes(const char *hex, unsigned char out[32])
{
	for (int i = 0; i < 32; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
}

bool trust_admissible(const struct trust_policy *p, enum trust_status s)
{
	if (p->mode == TRUST_ENFORCE)
		return s >= TRUST_ALLOWED_UNSIGNED;
	return s != TRUST_HASH_MISMATCH && s != TRUST_MISSING && s != TRUST_UNHASHED;
}

void trust_result_set(struct trust_result *r, enum trust_status st, const char *fmt, ...)
{
	va_list ap;

	memset(r, 0, sizeof(*r));
	r->status = st;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

void trust_check_file(const struct trust_policy *p, struct trust_cache *cache, const char *index,
		      const char *package, const char *version, const struct lock_file *f,
		      const char *path, const char *sig_path, struct trust_result *r)
{
	const char *want = lock_file_sha256(f);
	struct pl_error err;
	struct stat st;
	char hex[65];

	memset(r, 0, sizeof(*r));
	if (stat(path, &st) < 0) {
		trust_result_set(r, TRUST_MISSING, "%.200s: %s", path, strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		trust_result_set(r, TRUST_MISSING, "%.200s: not a regular file", path);
		return;
	}
	if (!want) {
		r->status = TRUST_UNHASHED;
		snprintf(r->reason, sizeof(r->reason), "the lock records no sha256 for %s", f->name);
		return;
	}
	if (f->size >= 0 && st.st_size != f->size) {
		r->status = TRUST_HASH_MISMATCH;
		snprintf(r->reason, sizeof(r->reason), "size %lld, the lock says %lld",
			 (long long)st.st_size, (long long)f->size);
		return;
	}
	if (!cache_get(cache, &st, hex)) {
		if (trust_sha256_file(path, hex, &err) < 0) {
			r->status = TRUST_MISSING;
			snprintf(r->reason, sizeof(r->reason), "%.200s", err.msg);
			return;
		}
		cache_put(cache, &st, hex);
	}
	trust_check_hashed(p, index, package, version, f, path, hex, sig_path, r);
}

void trust_check_hashed(const struct trust_policy *p, const char *index, const char *package,
			const char *version, const struct lock_file *f, const char *path, const char *hex,
			const char *sig_path, struct trust_result *r)
{
	const char *want = lock_file_sha256(f);
	struct pl_error err;
	char *sigtext = NULL, sigpath[4200];
	unsigned char sig[TRUST_SIG_MAX], digest[32];
	size_t siglen, len;

	memset(r, 0, sizeof(*r));
	if (!want) {
		r->status = TRUST_UNHASHED;
		snprintf(r->reason, sizeof(r->reason), "the lock records no sha256 for %s", f->name);
		return;
	}
	if (strcasecmp(hex, want)) {
		r->status = TRUST_HASH_MISMATCH;
		snprintf(r->reason, sizeof(r->reason), "sha256 %.16s..., the lock says %.16s...", hex, want);
		return;
	}
	snprintf(sigpath, sizeof(sigpath), "%s%s", sig_path ? sig_path : path, sig_path ? "" : ".sig");
	if (util_read_file(sigpath, TRUST_SIG_MAX, &sigtext, &len, &err) < 0) {
		/* Only a signature that is not there is "unsigned": one that is
		 * there but cannot be read (too large, a folder, a device) is as
		 * bad as garbage, whatever allow-unsigned says. */
		if (errno != ENOENT) {
			r->status = TRUST_BAD_SIGNATURE;
			snprintf(r->reason, sizeof(r->reason), "the .sig cannot be read: %.200s", err.msg);
			return;
		}
		bool allowed = allowed_unsigned(p, package, version);
		r->status = allowed ? TRUST_ALLOWED_UNSIGNED : TRUST_UNSIGNED;
		snprintf(r->reason, sizeof(r->reason), "%s", allowed ? "listed in allow-unsigned" : "no .sig beside the file");
		return;
	}
	siglen = decode_sig(sigtext, len, sig, sizeof(sig));
	free(sigtext);
	hex_to_bytes(hex, digest);
	const struct trust_registry *reg = registry_for(p, index);
	const struct trust_key *untrusted = NULL;
	for (size_t i = 0; siglen && i < p->nkeys; i++) {
		if (!verify_with(p->keys[i].pkey, sig, siglen, digest, path))
			continue;
		if (trusted(p, reg, &p->keys[i])) {
			r->status = TRUST_VERIFIED;
			memcpy(r->key_id, p->keys[i].key_id, sizeof(r->key_id));
			snprintf(r->reason, sizeof(r->reason), "signed by %s", p->keys[i].name);
			return;
		}
		untrusted = &p->keys[i];
	}
	if (untrusted) {
		r->status = TRUST_UNTRUSTED_SIGNER;
		memcpy(r->key_id, untrusted->key_id, sizeof(r->key_id));
		snprintf(r->reason, sizeof(r->reason), "signed by %s, which is not trusted for %s", untrusted->name,
			 reg ? reg->name : "files outside a registry");
		return;
	}
	r->status = TRUST_BAD_SIGNATURE;
	snprintf(r->reason, sizeof(r->reason), "%s", siglen ? "no known key made this signature of this file"
		 : "the signature file is not a signature");
}
