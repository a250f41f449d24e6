/* Verdicts already reached: a verification depends only on the root, the
 * evidence's bytes and the file's name and sha256 (never on the time it is
 * made), so a positive verdict is kept under the sha256 of all of them and
 * served again without a signature checked. Kept in the user's cache folder,
 * which the sandbox hides, beside the hash cache. */
#include "config.h"
#include "sigstore.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sigstore-internal.h"

#define MAGIC "pylock-sigstore-verdict 1\n"
#define MAX_RECORD 65536

static char *record_path(const char *dir, const struct sigstore_root *root, enum sigstore_form form,
			 const char *doc, size_t len, const char *name, const unsigned char sha256[32])
{
	struct util_buf key = UTIL_BUF_INIT, path = UTIL_BUF_INIT;
	unsigned char md[32];
	char form_byte = (char)('0' + form), name_hex[65];

	util_buf_add(&key, root->digest, 32);
	util_buf_add(&key, &form_byte, 1);
	util_buf_add(&key, name, strlen(name) + 1);
	util_buf_add(&key, sha256, 32);
	util_buf_add(&key, doc, len);
	S(EVP_Digest)(key.data, key.len, md, NULL, S(EVP_sha256)(), NULL);
	util_buf_free(&key);
	util_hex(md, 32, name_hex);
	util_buf_printf(&path, "%s/%.2s/%s", dir, name_hex, name_hex + 2);
	return util_buf_steal(&path);
}

/* The signer fields in the order a record keeps them. */
#define FIELDS(s) { s->issuer, s->san, s->repository, s->build_config, s->source_digest, s->source_ref }
#define NFIELDS 6

static bool read_record(const char *path, struct sigstore_verdict *v)
{
	struct pl_error err;
	char *text, *line, *save = NULL;
	size_t len;

	if (util_read_file(path, MAX_RECORD, &text, &len, &err) < 0)
		return false;
	memset(v, 0, sizeof(*v));
	if (strncmp(text, MAGIC, strlen(MAGIC))) {
		free(text);
		return false;
	}
	for (line = strtok_r(text + strlen(MAGIC), "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct sigstore_signer *s = &v->signers[v->nsigners];
		char *fields[] = FIELDS(s), *p = line, *tab;
		size_t sizes[] = { sizeof(s->issuer), sizeof(s->san), sizeof(s->repository), sizeof(s->build_config),
				   sizeof(s->source_digest), sizeof(s->source_ref) };

		if (v->nsigners == SIGSTORE_MAX_SIGNERS || sscanf(p, "%" SCNd64, &s->signed_at) != 1 ||
		    !(p = strchr(p, '\t')))
			goto bad;
		for (int f = 0; f < NFIELDS; f++) {
			p++;
			tab = strchr(p, '\t');
			size_t n = tab ? (size_t)(tab - p) : strlen(p);
			if (n >= sizes[f] || (f + 1 < NFIELDS) != (tab != NULL))
				goto bad;
			memcpy(fields[f], p, n);
			fields[f][n] = '\0';
			p += n;
		}
		s->key = -1;
		v->nsigners++;
	}
	free(text);
	v->ok = v->nsigners > 0;
	return v->ok;
bad:
	free(text);
	memset(v, 0, sizeof(*v));
	return false;
}

static void write_record(const char *path, const struct sigstore_verdict *v)
{
	struct util_buf b = UTIL_BUF_INIT, tmp = UTIL_BUF_INIT;
	char *dir = util_xstrdup(path);
	struct pl_error err;
	int fd;

	util_buf_puts(&b, MAGIC);
	for (size_t i = 0; i < v->nsigners; i++) {
		const struct sigstore_signer *s = &v->signers[i];
		const char *fields[] = FIELDS(s);

		if (s->key >= 0)
			goto done;
		util_buf_printf(&b, "%" PRId64, s->signed_at);
		for (int f = 0; f < NFIELDS; f++) {
			/* A field a record cannot hold: no record, verify again. */
			if (strpbrk(fields[f], "\t\n"))
				goto done;
			util_buf_printf(&b, "\t%s", fields[f]);
		}
		util_buf_putc(&b, '\n');
	}
	*strrchr(dir, '/') = '\0';
	if (util_mkdir_p(dir, 0700, &err) < 0)
		goto done;
	util_buf_printf(&tmp, "%s/.tmp.XXXXXX", dir);
	if ((fd = mkostemp(tmp.data, O_CLOEXEC)) < 0)
		goto done;
	if (util_write_all(fd, b.data, b.len) < 0 || close(fd) < 0 || rename(tmp.data, path) < 0)
		unlink(tmp.data);
done:
	free(dir);
	util_buf_free(&tmp);
	util_buf_free(&b);
}

void sigstore_verify_cached(const char *dir, const struct sigstore_root *root, struct evp_pkey_st *const *keys,
			    size_t nkeys, enum sigstore_form form, const char *doc, size_t len, const char *file_name,
			    const unsigned char sha256[32], struct sigstore_verdict *v)
{
	struct pl_error err;
	char *path;

	if (!dir || sigstore_init(&err) < 0 || len > SIGSTORE_MAX_DOC) {
		sigstore_verify_keys(root, keys, nkeys, form, doc, len, file_name, sha256, v);
		return;
	}
	path = record_path(dir, root, form, doc, len, file_name, sha256);
	if (!read_record(path, v)) {
		sigstore_verify_keys(root, keys, nkeys, form, doc, len, file_name, sha256, v);
		if (v->ok)
			write_record(path, v);
	}
	free(path);
}
