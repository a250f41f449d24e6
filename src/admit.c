/* Admission of a locked file: locate, get, check, commit (see admit.h). */
#include "config.h"
#include "admit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "store.h"

/* ---- locate ---- */

/* Where a locked file is, without the network: exactly one of path (a local
 * file) and url (to fetch) is set, or neither with why. */
struct source {
	char *path, *url;
	char why[320];
};

static void locate(const struct admit *a, const struct lock_package *pkg, const struct lock_file *f,
		   struct source *src)
{
	const struct trust_policy *p = a->policy;
	struct util_buf b = UTIL_BUF_INIT;

	memset(src, 0, sizeof(*src));
	if (f->path) {
		util_buf_printf(&b, "%s%s%s", f->path[0] == '/' ? "" : a->lock_dir, f->path[0] == '/' ? "" : "/",
				f->path);
		src->path = util_buf_steal(&b);
		return;
	}
	/* A registry's mirror folder is preferred to the network. */
	for (size_t i = 0; pkg->index && i < p->nregistries; i++) {
		const struct trust_registry *reg = &p->registries[i];
		if (!reg->mirror || !util_url_same_folder(reg->url, pkg->index))
			continue;
		util_buf_printf(&b, "%s/%s/%s", reg->mirror, pkg->norm_name, f->name);
		if (access(b.data, F_OK) < 0) {
			util_buf_truncate(&b, 0);
			util_buf_printf(&b, "%s/%s", reg->mirror, f->name);
		}
		src->path = util_buf_steal(&b);
		return;
	}
	if (f->url && !strncmp(f->url, "file://", 7)) {
		if (!(src->path = registry_local_path(f->url)))
			snprintf(src->why, sizeof(src->why), "%.200s: not a local absolute file URL", f->url);
	} else if (f->url && !strncmp(f->url, "https://", 8)) {
		src->url = util_xstrdup(f->url);
	} else if (f->url) {
		snprintf(src->why, sizeof(src->why), "%.200s: only https:// and file:// URLs are fetched", f->url);
	} else {
		snprintf(src->why, sizeof(src->why), "the lock gives no path or url for %s", f->name);
	}
}

static struct registry *connection(const struct admit *a, void **conn)
{
	if (!*conn)
		*conn = registry_new(&a->fetch, NULL);
	return *conn;
}

void admit_conn_free(void *conn)
{
	registry_free(conn);
}

/* ---- check and commit ---- */

/* The one check of bytes that are to be kept: the sealed stage's size and
 * hashes (d: computed while they were written, NULL: hashed now) and its
 * staged side files under the policy; only admissible bytes are published. */
static void check_commit(const struct admit *a, const struct lock_package *pkg, const struct lock_file *f,
			 struct store_stage *st, const struct trust_digests *d, char **blob, struct trust_result *res)
{
	struct pl_error err;

	if (store_stage_seal(st, &err) < 0) {
		trust_result_set(res, TRUST_MISSING, "%.250s", err.msg);
		store_stage_abort(st);
		return;
	}
	/* The stage's side files are named after it: only those staged exist. */
	if (d)
		trust_check_hashed(a->policy, pkg, f, st->tmp, d, st->tmp, res);
	else
		trust_check_file(a->policy, NULL, pkg, f, st->tmp, st->tmp, res);
	if (!trust_admissible(a->policy, res->status))
		store_stage_abort(st);
	else if (store_stage_publish(st, blob, &err) < 0)
		trust_result_set(res, TRUST_MISSING, "%.250s", err.msg);
}

/* ---- get: a local file ---- */

/* src into out: a regular file only (never blocking on a FIFO or device),
 * max bytes at most. */
static int copy_into(int out, const char *src, uint64_t max, struct trust_result *res)
{
	struct pl_error err;
	char *buf;
	int in = util_open_regular(src, NULL, &err), rc = 0;
	uint64_t total = 0;
	ssize_t n;

	if (in < 0) {
		trust_result_set(res, TRUST_MISSING, "%.200s: %s", src, err.msg);
		return -1;
	}
	buf = util_xmalloc(1 << 20);
	while ((n = read(in, buf, 1 << 20)) > 0) {
		if ((total += (uint64_t)n) > max) {
			trust_result_set(res, TRUST_HASH_MISMATCH, "%.200s is larger than the lock's %llu bytes", src,
					 (unsigned long long)max);
			rc = -1;
			break;
		}
		if (util_write_all(out, buf, (size_t)n) < 0) {
			trust_result_set(res, TRUST_MISSING, "cannot copy into the store: %s", strerror(errno));
			rc = -1;
			break;
		}
	}
	if (n < 0 && rc == 0) {
		trust_result_set(res, TRUST_MISSING, "%.200s: %s", src, strerror(errno));
		rc = -1;
	}
	close(in);
	free(buf);
	return rc;
}

/* ---- Sigstore evidence from the index ---- */

/* Where the PEP 740 provenance of a file fetched for pkg is: its index's
 * page says (PEP 691 / PEP 503); for a file on files.pythonhosted.org
 * without an index, PyPI's Integrity API. NULL when nowhere. */
static char *evidence_url(const struct admit *a, void **conn, const struct lock_package *pkg,
			  const struct lock_file *f, const char *file_url)
{
	struct util_buf b = UTIL_BUF_INIT;

	if (pkg->index)
		return registry_find_provenance(connection(a, conn), pkg->index, pkg->norm_name, f->name);
	if (!file_url || !pkg->version || strncmp(file_url, "https://files.pythonhosted.org/", 31))
		return NULL;
	util_buf_printf(&b, "https://pypi.org/integrity/%s/%s/%s/provenance", pkg->norm_name, pkg->version, f->name);
	return util_buf_steal(&b);
}

/* The provenance at url into the stage as its .provenance, unless one came
 * beside the file; false with res when it could not be fetched (none there
 * is no failure). */
static bool stage_evidence(const struct admit *a, void **conn, const char *url, struct store_stage *st,
			   struct trust_result *res)
{
	const struct trust_side *side = &trust_sides[TRUST_SIDE_PROVENANCE];
	struct util_buf body = UTIL_BUF_INIT;
	struct pl_error err;
	char *path, *text;
	size_t len;
	int code = 200;

	if (!url || (st->sides & (1u << TRUST_SIDE_PROVENANCE)))
		return true;
	if ((path = registry_local_path(url))) {
		if (util_read_file(path, side->max, &text, &len, &err) == 0) {
			util_buf_add(&body, text, len);
			free(text);
		} else
			code = errno == ENOENT ? 404 : -1;
		free(path);
	} else
		code = registry_get(connection(a, conn), url, side->max, &body, NULL, &err);
	if (code == 200 && store_stage_side(st, TRUST_SIDE_PROVENANCE, body.data ? body.data : "", body.len, &err) < 0)
		code = -1;
	if (code != 200 && code != 404 && code != 410)
		trust_result_set(res, TRUST_MISSING, "cannot fetch the provenance %.150s: %.150s", url,
				 code < 0 ? err.msg : "an HTTP error");
	util_buf_free(&body);
	return code == 200 || code == 404 || code == 410;
}

/* Copies src and the side files beside it (src.sig, src.provenance, ...)
 * into a stage, so that what is checked is what is kept; evidence, when
 * not NULL, is where the index says its provenance is. */
static void from_local(const struct admit *a, void **conn, const struct lock_package *pkg, const struct lock_file *f,
		       const char *src, const char *evidence, char **blob, struct trust_result *res)
{
	struct store_stage st;
	struct util_buf sidepath = UTIL_BUF_INIT;
	struct pl_error why;
	char *side = NULL;
	size_t len;

	if (trust_unhashed(f, res))
		return;
	if (store_stage_open(a->store, lock_file_best_hash(f), &st, &why) < 0) {
		trust_result_set(res, TRUST_MISSING, "%.250s", why.msg);
		return;
	}
	if (copy_into(st.fd, src, f->size >= 0 ? (uint64_t)f->size : STORE_UNSIZED_MAX, res) < 0)
		goto fail;
	for (size_t i = 0; i < TRUST_NSIDES; i++) {
		util_buf_truncate(&sidepath, 0);
		util_buf_printf(&sidepath, "%s%s", src, trust_sides[i].suffix);
		if (util_read_file(sidepath.data, trust_sides[i].max, &side, &len, &why) == 0) {
			int rc = store_stage_side(&st, i, side, len, &why);
			free(side);
			if (rc < 0) {
				trust_result_set(res, TRUST_MISSING, "%.250s", why.msg);
				goto fail;
			}
		} else if (errno != ENOENT) {
			trust_result_set(res, TRUST_BAD_SIGNATURE, "the %s cannot be read: %.200s", trust_sides[i].suffix + 1,
					 why.msg);
			goto fail;
		}
	}
	util_buf_free(&sidepath);
	if (!stage_evidence(a, conn, evidence, &st, res)) {
		store_stage_abort(&st);
		return;
	}
	check_commit(a, pkg, f, &st, NULL, blob, res);
	return;
fail:
	util_buf_free(&sidepath);
	store_stage_abort(&st);
}

/* ---- get: a download ---- */

/* url.sig into the stage (trust_sides[0]) when the server has one; false with res when the
 * answer was neither a signature nor "none". */
static bool fetch_signature(struct registry *r, const char *url, struct store_stage *st, struct trust_result *res)
{
	struct util_buf sig = UTIL_BUF_INIT, sig_url = UTIL_BUF_INIT;
	struct pl_error err;
	bool ok = false;
	int code;

	util_buf_printf(&sig_url, "%s.sig", url);
	code = registry_get(r, sig_url.data, TRUST_SIG_MAX, &sig, NULL, &err);
	if (code == 200 && store_stage_side(st, 0, sig.data ? sig.data : "", sig.len, &err) < 0)
		trust_result_set(res, TRUST_MISSING, "%.250s", err.msg);
	else if (code < 0)
		trust_result_set(res, TRUST_MISSING, "cannot fetch the signature: %.200s", err.msg);
	else if (code != 200 && code != 404 && code != 410)
		trust_result_set(res, TRUST_MISSING, "cannot fetch the signature: %.200s: HTTP %d", sig_url.data, code);
	else
		ok = true;
	util_buf_free(&sig);
	util_buf_free(&sig_url);
	return ok;
}

/* Streams url into a stage, hashing as it comes and stopping as soon as it
 * exceeds the locked size; its signature beside it, its provenance from
 * evidence. */
static void download(const struct admit *a, void **conn, const struct lock_package *pkg, const struct lock_file *f,
		     const char *url, const char *evidence, char **blob, struct trust_result *res)
{
	struct registry *r = connection(a, conn);
	const struct lock_hash *want = lock_file_best_hash(f);
	struct store_stage st;
	struct trust_digester *h;
	struct trust_digests d;
	struct pl_error err;
	uint64_t got;

	if (trust_unhashed(f, res))
		return;
	if (store_stage_open(a->store, want, &st, &err) < 0) {
		trust_result_set(res, TRUST_MISSING, "%.250s", err.msg);
		return;
	}
	if (!(h = trust_digester_new(want->algo, &err))) {
		trust_result_set(res, TRUST_MISSING, "%.250s", err.msg);
		store_stage_abort(&st);
		return;
	}
	enum registry_got g = registry_download(r, url, st.fd, f->size >= 0 ? (uint64_t)f->size : STORE_UNSIZED_MAX,
						h, &got, &err);
	trust_digester_final(h, &d);
	const char *hex = d.algo ? d.other : d.sha256;
	if (g == REGISTRY_TOO_BIG)
		trust_result_set(res, TRUST_HASH_MISMATCH, "%s sends more than the lock's %lld bytes", url,
				 (long long)f->size);
	else if (g == REGISTRY_WRITE_FAILED)
		trust_result_set(res, TRUST_MISSING, "cannot write into the store: %.200s", err.msg);
	else if (g == REGISTRY_NO_FILE)
		trust_result_set(res, TRUST_MISSING, "%.230s: no such file", url);
	else if (g == REGISTRY_FAILED)
		trust_result_set(res, TRUST_MISSING, "%.250s", err.msg);
	else if (f->size >= 0 && got != (uint64_t)f->size)
		trust_result_set(res, TRUST_HASH_MISMATCH, "%s sent %llu bytes, the lock says %lld", url,
				 (unsigned long long)got, (long long)f->size);
	else if (strcasecmp(hex, want->value))
		trust_result_set(res, TRUST_HASH_MISMATCH, "%s sent bytes with %s %.16s..., the lock says %.16s...",
				 url, want->algo, hex, want->value);
	else if (fetch_signature(r, url, &st, res) && stage_evidence(a, conn, evidence, &st, res)) {
		check_commit(a, pkg, f, &st, &d, blob, res);
		return;
	}
	store_stage_abort(&st);
}

/* A URL a lock or an index gave: a file:// one is a local file. */
static void from_url(const struct admit *a, void **conn, const struct lock_package *pkg, const struct lock_file *f,
		     const char *url, const char *evidence, char **blob, struct trust_result *res)
{
	char *path = registry_local_path(url);

	if (path)
		from_local(a, conn, pkg, f, path, evidence, blob, res);
	else
		download(a, conn, pkg, f, url, evidence, blob, res);
	free(path);
}

/* ---- the sequence ---- */

/* A blob already in the store is checked again (the policy may have
 * changed since); its signature is the one stored beside it. */
static bool check_stored(const struct admit *a, const struct lock_package *pkg, const struct lock_file *f,
			 char **checked, struct trust_result *res)
{
	char *blob = a->store ? store_blob(a->store, f) : NULL;

	if (!blob)
		return false;
	trust_check_file(a->policy, a->cache, pkg, f, blob, NULL, res);
	*checked = blob;
	return true;
}

void admit_file(const struct admit *a, void **conn, const struct lock_package *pkg, const struct lock_file *f,
		bool keep, char **checked, struct trust_result *res)
{
	struct source src;
	char *url = NULL;

	*checked = NULL;
	memset(res, 0, sizeof(*res));
	locate(a, pkg, f, &src);
	if (src.path && !keep) {
		trust_check_file(a->policy, a->cache, pkg, f, src.path, NULL, res);
		*checked = src.path;
		src.path = NULL;
		if (res->status != TRUST_MISSING || !pkg->index)
			goto out;
		free(*checked);
		*checked = NULL;
	} else if (check_stored(a, pkg, f, checked, res)) {
		goto out;
	} else if (src.path && a->store) {
		from_local(a, conn, pkg, f, src.path, NULL, checked, res);
		if (res->status != TRUST_MISSING || !pkg->index)
			goto out;
	}
	if (!a->store || a->offline) {
		if (!res->reason[0])
			trust_result_set(res, TRUST_MISSING, "%.250s", src.url ? "not fetched here" :
					 src.why[0] ? src.why : "no store to fetch into");
		goto out;
	}
	if (src.url) {
		char *evidence = evidence_url(a, conn, pkg, f, src.url);
		from_url(a, conn, pkg, f, src.url, evidence, checked, res);
		free(evidence);
		if (res->status != TRUST_MISSING || !pkg->index)
			goto out;
	}
	if (!pkg->index) {
		trust_result_set(res, TRUST_MISSING, "%.250s", src.why);
		goto out;
	}
	char first[256], why[320];
	snprintf(first, sizeof(first), "%.250s", res->reason[0] ? res->reason : src.why);
	if ((url = registry_find(connection(a, conn), pkg->index, pkg->norm_name, f->name, why, sizeof(why)))) {
		char *evidence = registry_find_provenance(connection(a, conn), pkg->index, pkg->norm_name, f->name);
		from_url(a, conn, pkg, f, url, evidence, checked, res);
		free(evidence);
	} else
		trust_result_set(res, TRUST_MISSING, "%.120s; index: %.120s", first, why);
out:
	if (*checked && keep && !trust_admissible(a->policy, res->status)) {
		free(*checked);
		*checked = NULL;
	}
	free(url);
	free(src.path);
	free(src.url);
}
