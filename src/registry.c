/* Transport: PEP 503/691 simple index pages and files over file:// and
 * https:// with libcurl, only to the hosts pylock may fetch from. */
#include "config.h"
#include "registry.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dl.h"

#define DEFAULT_TIMEOUT 30
#define DEFAULT_DEADLINE 600

/* libcurl pulls in some thirty libraries; loaded only when a file must be
 * fetched, it costs nothing to the commands that never do. */
#define CURL_FUNCTIONS(X) \
	X(curl_global_init) \
	X(curl_easy_init) \
	X(curl_easy_cleanup) \
	X(curl_easy_reset) \
	X(curl_easy_setopt) \
	X(curl_easy_perform) \
	X(curl_easy_getinfo) \
	X(curl_easy_strerror) \
	X(curl_slist_append) \
	X(curl_slist_free_all) \
	X(curl_url) \
	X(curl_url_set) \
	X(curl_url_get) \
	X(curl_url_cleanup) \
	X(curl_free)

static DL_TABLE(CURL_FUNCTIONS) curl_fn;

#define CU(f) (curl_fn.f)

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static const char *curl_error;

static void load_curl(void)
{
	if ((curl_error = DL_LOAD(LIBCURL_SONAME, CURL_FUNCTIONS, curl_fn)))
		return;
	if (CU(curl_global_init)(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		curl_error = "curl_global_init failed";
}

struct registry {
	CURL *curl;
	char *ca_file;
	long timeout, deadline;
	bool past_deadline;	/* the last transfer's timeout was the deadline */
	char **hosts;		/* where pylock may connect (registry_options) */
	size_t nhosts;
	char refused[512];	/* why the last transfer was not made, or "" */
	char errbuf[CURL_ERROR_SIZE];
	/* The last project page: a package's files are looked up one by one. */
	char *page_url;
	struct registry_page page;
};

static void add_host(struct registry *r, const char *host)
{
	r->hosts = util_xrealloc(r->hosts, (r->nhosts + 1) * sizeof(*r->hosts));
	r->hosts[r->nhosts] = util_xstrdup(host);
	for (char *c = r->hosts[r->nhosts++]; *c; c++)
		*c = (char)tolower((unsigned char)*c);
}

struct registry *registry_new(const struct registry_options *o, struct pl_error *err)
{
	static const char *const defaults[] = REGISTRY_DEFAULT_HOSTS;
	struct registry *r = util_xcalloc(1, sizeof(*r));
	char host[256];

	(void)err;
	r->ca_file = o && o->ca_file ? util_xstrdup(o->ca_file) : NULL;
	r->timeout = o && o->timeout > 0 ? o->timeout : DEFAULT_TIMEOUT;
	r->deadline = o && o->deadline > 0 ? o->deadline : DEFAULT_DEADLINE;
	for (size_t i = 0; o && o->hosts_set && i < o->nhosts; i++)
		add_host(r, o->hosts[i]);
	for (size_t i = 0; (!o || !o->hosts_set) && i < sizeof(defaults) / sizeof(defaults[0]); i++)
		add_host(r, defaults[i]);
	for (size_t i = 0; o && o->policy && i < o->policy->nregistries; i++)
		if (o->policy->registries[i].url && util_url_host(o->policy->registries[i].url, host, sizeof(host)))
			add_host(r, host);
	return r;
}

/* Whether url may be fetched: a local file, or https to a host pylock may
 * connect to. r->refused says why not. */
static bool may_fetch(struct registry *r, const char *url)
{
	char host[256];

	r->refused[0] = '\0';
	/* Schemes are case-insensitive: libcurl fetches HTTPS:// too. */
	if (strncasecmp(url, "https://", 8))
		return true;
	if (util_url_host(url, host, sizeof(host)))
		for (size_t i = 0; i < r->nhosts; i++)
			if (!strcmp(r->hosts[i], host))
				return true;
	snprintf(r->refused, sizeof(r->refused), "%.200s: host %.64s is not one pylock fetches from (add it to "
		 "fetch: hosts in config.yaml, or name its registry in policy.yaml)", url,
		 util_url_host(url, host, sizeof(host)) ? host : "(none)");
	return false;
}

static int check_url(struct registry *r, const struct lock *lock, const char *url, uint32_t line, uint32_t col,
		     struct pl_error *err)
{
	if (!url || may_fetch(r, url))
		return 0;
	return pl_error_set(err, lock->path, (int)line, (int)col, "%s", r->refused);
}

int registry_check_lock(const struct registry_options *o, const struct lock *lock, struct pl_error *err)
{
	struct registry *r = registry_new(o, err);
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < lock->npackages; i++) {
		const struct lock_package *p = &lock->packages[i];
		rc = check_url(r, lock, p->index, p->line, p->col, err);
		for (size_t k = 0; rc == 0 && k < p->nwheels; k++)
			rc = check_url(r, lock, p->wheels[k].url, p->wheels[k].line, p->wheels[k].col, err);
		if (rc == 0 && p->has_sdist)
			rc = check_url(r, lock, p->sdist.url, p->sdist.line, p->sdist.col, err);
		if (rc == 0 && p->has_archive)
			rc = check_url(r, lock, p->archive.url, p->archive.line, p->archive.col, err);
	}
	registry_free(r);
	return rc;
}

void registry_free(struct registry *r)
{
	if (!r)
		return;
	if (r->curl)
		CU(curl_easy_cleanup)(r->curl);
	free(r->ca_file);
	for (size_t i = 0; i < r->nhosts; i++)
		free(r->hosts[i]);
	free(r->hosts);
	free(r->page_url);
	registry_page_fini(&r->page);
	free(r);
}

static int curl_ready(struct registry *r, struct pl_error *err)
{
	pthread_once(&curl_once, load_curl);
	if (curl_error)
		return pl_error_set(err, NULL, 0, 0, "cannot load libcurl (%s): %s", LIBCURL_SONAME, curl_error);
	if (!r->curl && !(r->curl = CU(curl_easy_init)()))
		return pl_error_set(err, NULL, 0, 0, "libcurl cannot start a transfer");
	return 0;
}

/* The options every transfer shares; perform() follows redirects. */
static void setup(struct registry *r)
{
	CURL *c = r->curl;

	CU(curl_easy_reset)(c);
	r->errbuf[0] = '\0';
	CU(curl_easy_setopt)(c, CURLOPT_NOSIGNAL, 1L);
	CU(curl_easy_setopt)(c, CURLOPT_ERRORBUFFER, r->errbuf);
	CU(curl_easy_setopt)(c, CURLOPT_PROTOCOLS_STR, "https,file");
	CU(curl_easy_setopt)(c, CURLOPT_FOLLOWLOCATION, 0L);
	CU(curl_easy_setopt)(c, CURLOPT_FAILONERROR, 1L);
	CU(curl_easy_setopt)(c, CURLOPT_CONNECTTIMEOUT, r->timeout);
	CU(curl_easy_setopt)(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	CU(curl_easy_setopt)(c, CURLOPT_LOW_SPEED_TIME, r->timeout);
	CU(curl_easy_setopt)(c, CURLOPT_USERAGENT, "pylock/" PACKAGE_VERSION);
	if (r->ca_file)
		CU(curl_easy_setopt)(c, CURLOPT_CAINFO, r->ca_file);
}

/* The transfer set up for url, following redirects here rather than in
 * libcurl: each hop must be https (an index must never send pylock to a
 * local file), to a host pylock may connect to, checked before the name is
 * looked up. Bodies of redirects are not kept (the sinks skip them). */
#define MAX_REDIRECTS 10
static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Hosts that could not be resolved or connected to in this run: every file
 * of theirs would wait for the same failure (offline, a 46-file lock paid
 * 15 s), so the next transfer to one fails at once with the first reason. */
#define DEAD_HOSTS 32
static struct {
	char host[256];
	CURLcode rc;
	char why[CURL_ERROR_SIZE];
} dead[DEAD_HOSTS];
static size_t ndead;
static pthread_mutex_t dead_lock = PTHREAD_MUTEX_INITIALIZER;

static bool host_dead(struct registry *r, const char *url, CURLcode *rc)
{
	char host[256];
	bool found = false;

	if (!util_url_host(url, host, sizeof(host)))
		return false;
	pthread_mutex_lock(&dead_lock);
	for (size_t i = 0; i < ndead && !found; i++)
		if (!strcmp(dead[i].host, host)) {
			snprintf(r->errbuf, sizeof(r->errbuf), "%s (not tried again)", dead[i].why);
			*rc = dead[i].rc;
			found = true;
		}
	pthread_mutex_unlock(&dead_lock);
	return found;
}

static void mark_dead(struct registry *r, const char *url, CURLcode rc)
{
	char host[256];

	if ((rc != CURLE_COULDNT_RESOLVE_HOST && rc != CURLE_COULDNT_CONNECT) || !util_url_host(url, host, sizeof(host)))
		return;
	pthread_mutex_lock(&dead_lock);
	if (ndead < DEAD_HOSTS) {
		snprintf(dead[ndead].host, sizeof(dead[ndead].host), "%s", host);
		snprintf(dead[ndead].why, sizeof(dead[ndead].why), "%s", r->errbuf[0] ? r->errbuf
			 : CU(curl_easy_strerror)(rc));
		dead[ndead++].rc = rc;
	}
	pthread_mutex_unlock(&dead_lock);
}

static CURLcode perform(struct registry *r, const char *url)
{
	char *at = util_xstrdup(url);
	struct timespec start;
	CURLcode rc;

	clock_gettime(CLOCK_MONOTONIC, &start);
	r->past_deadline = false;
	for (int hop = 0;; hop++) {
		char *next = NULL;
		long code = 0;

		if (!may_fetch(r, at)) {
			rc = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
		if (host_dead(r, at, &rc))
			break;
		/* One deadline for the request, whatever the hops: a server that
		 * trickles a byte a second never trips the stall timeout. */
		long left = r->deadline * 1000 - elapsed_ms(&start);
		if (left <= 0) {
			r->past_deadline = true;
			rc = CURLE_OPERATION_TIMEDOUT;
			break;
		}
		CU(curl_easy_setopt)(r->curl, CURLOPT_TIMEOUT_MS, left);
		CU(curl_easy_setopt)(r->curl, CURLOPT_URL, at);
		rc = CU(curl_easy_perform)(r->curl);
		mark_dead(r, at, rc);
		if (rc == CURLE_OPERATION_TIMEDOUT)
			r->past_deadline = elapsed_ms(&start) >= r->deadline * 1000;
		CU(curl_easy_getinfo)(r->curl, CURLINFO_RESPONSE_CODE, &code);
		CU(curl_easy_getinfo)(r->curl, CURLINFO_REDIRECT_URL, &next);
		if (rc != CURLE_OK || code < 300 || code > 399 || !next)
			break;
		if (hop == MAX_REDIRECTS) {
			rc = CURLE_TOO_MANY_REDIRECTS;
			break;
		}
		if (strncmp(next, "https://", 8)) {
			rc = CURLE_UNSUPPORTED_PROTOCOL;
			break;
		}
		free(at);
		at = util_xstrdup(next);
	}
	free(at);
	return rc;
}

/* A redirect's body is not the resource. */
static bool redirecting(struct registry *r)
{
	long code = 0;

	CU(curl_easy_getinfo)(r->curl, CURLINFO_RESPONSE_CODE, &code);
	return code >= 300 && code <= 399;
}

/* A failed transfer, said the way a user can act on. */
static int transfer_error(struct registry *r, const char *url, CURLcode rc, struct pl_error *err)
{
	long code = 0;

	if (r->refused[0])
		return pl_error_set(err, NULL, 0, 0, "%s", r->refused);
	switch (rc) {
	case CURLE_HTTP_RETURNED_ERROR:
		CU(curl_easy_getinfo)(r->curl, CURLINFO_RESPONSE_CODE, &code);
		return pl_error_set(err, NULL, 0, 0, "%s: HTTP %ld", url, code);
	case CURLE_OPERATION_TIMEDOUT:
		if (r->past_deadline)
			return pl_error_set(err, NULL, 0, 0, "%s: not done within the %ld s deadline (fetch: deadline); "
					    "gave up", url, r->deadline);
		return pl_error_set(err, NULL, 0, 0, "%s: no progress for %ld s; gave up", url, r->timeout);
	case CURLE_TOO_MANY_REDIRECTS:
		return pl_error_set(err, NULL, 0, 0, "%s: too many redirects (a redirect loop?)", url);
	case CURLE_UNSUPPORTED_PROTOCOL:
		return pl_error_set(err, NULL, 0, 0, "%s: only https:// and file:// are fetched, and redirects "
				    "only to https://", url);
	default:
		return pl_error_set(err, NULL, 0, 0, "%s: %s", url,
				    r->errbuf[0] ? r->errbuf : CU(curl_easy_strerror)(rc));
	}
}

struct mem_sink {
	struct registry *r;
	struct util_buf *buf;
	size_t max;
	bool too_big;
};

static size_t mem_write(char *data, size_t size, size_t n, void *arg)
{
	struct mem_sink *s = arg;

	if (redirecting(s->r))
		return n;
	if (s->buf->len + n > s->max) {
		s->too_big = true;
		return 0;
	}
	util_buf_add(s->buf, data, n);
	return n;
}

static size_t header_line(char *data, size_t size, size_t n, void *arg)
{
	char **type = arg;

	/* A redirect's headers come first: the last Content-Type wins. */
	if (n > 13 && !strncasecmp(data, "content-type:", 13)) {
		const char *v = data + 13;
		size_t len = n - 13;
		while (len && (*v == ' ' || *v == '\t'))
			v++, len--;
		while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
			len--;
		free(*type);
		*type = util_xstrndup(v, len);
	}
	return n;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
}

char *registry_local_path(const char *url)
{
	const char *p = url + 7;
	struct util_buf b = UTIL_BUF_INIT;

	if (strncasecmp(url, "file://", 7))
		return NULL;
	if (!strncmp(p, "localhost/", 10))
		p += 9;
	if (*p != '/')
		return NULL;
	for (; *p; p++) {
		if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			char c = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			if (!c) {
				util_buf_free(&b);
				return NULL;
			}
			util_buf_putc(&b, c);
			p += 2;
		} else {
			util_buf_putc(&b, *p);
		}
	}
	return util_buf_steal(&b);
}

/* A file:// URL is read here, not by libcurl, which would wait forever on a
 * FIFO and read a device to the size bound. */
static int get_file(const char *url, size_t max, struct util_buf *body, struct pl_error *err)
{
	char *path = registry_local_path(url), *data;
	size_t len;
	int rc;

	if (!path)
		return pl_error_set(err, NULL, 0, 0, "%s: not a local absolute file URL", url);
	rc = util_read_file(path, max, &data, &len, err);
	free(path);
	if (rc < 0)
		return errno == ENOENT ? 404 : -1;
	/* An empty body takes the file's buffer over (NUL-ended by the read). */
	if (!body->data) {
		body->data = data;
		body->len = len;
		body->cap = len + 1;
		return 200;
	}
	util_buf_add(body, data, len);
	free(data);
	return 200;
}

static int get(struct registry *r, const char *url, size_t max, struct util_buf *body, char **content_type,
	       struct curl_slist *headers, struct pl_error *err)
{
	struct mem_sink sink = { r, body, max, false };
	long code = 0;
	CURLcode rc;

	if (!strncasecmp(url, "file:", 5)) {
		if (content_type)
			*content_type = NULL;
		return get_file(url, max, body, err);
	}
	if (curl_ready(r, err) < 0)
		return -1;
	setup(r);
	if (headers)
		CU(curl_easy_setopt)(r->curl, CURLOPT_HTTPHEADER, headers);
	CU(curl_easy_setopt)(r->curl, CURLOPT_WRITEFUNCTION, mem_write);
	CU(curl_easy_setopt)(r->curl, CURLOPT_WRITEDATA, &sink);
	if (content_type) {
		*content_type = NULL;
		CU(curl_easy_setopt)(r->curl, CURLOPT_HEADERFUNCTION, header_line);
		CU(curl_easy_setopt)(r->curl, CURLOPT_HEADERDATA, content_type);
	}
	rc = perform(r, url);
	if (sink.too_big)
		return pl_error_set(err, NULL, 0, 0, "%s: larger than %zu bytes", url, max);
	if (rc == CURLE_HTTP_RETURNED_ERROR) {
		CU(curl_easy_getinfo)(r->curl, CURLINFO_RESPONSE_CODE, &code);
		return (int)code;
	}
	if (rc == CURLE_FILE_COULDNT_READ_FILE)
		return 404;
	if (rc != CURLE_OK)
		return transfer_error(r, url, rc, err);
	CU(curl_easy_getinfo)(r->curl, CURLINFO_RESPONSE_CODE, &code);
	return code ? (int)code : 200;
}

int registry_get(struct registry *r, const char *url, size_t max, struct util_buf *body, char **content_type,
		 struct pl_error *err)
{
	return get(r, url, max, body, content_type, NULL, err);
}

/* ---- project pages ---- */

void registry_page_fini(struct registry_page *page)
{
	for (size_t i = 0; i < page->n; i++) {
		free(page->links[i].filename);
		free(page->links[i].url);
		free(page->links[i].sha256);
		free(page->links[i].provenance);
		free(page->links[i].requires_python);
		free(page->links[i].core_metadata_sha256);
		free(page->links[i].upload_time);
	}
	free(page->links);
	memset(page, 0, sizeof(*page));
}

static bool safe_name(const char *name)
{
	size_t len = strlen(name);

	if (!len || len > REGISTRY_NAME_MAX || name[0] == '.' || strstr(name, ".."))
		return false;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c == '/' || *c == '\\' || *c < 0x20 || *c == 0x7f)
			return false;
	return true;
}

static bool is_hex64(const char *s, size_t len)
{
	return len == 64 && util_is_hex(s, len);
}

static void refuse(struct registry_page *page, const char *name)
{
	if (!page->refused++)
		snprintf(page->refused_example, sizeof(page->refused_example), "%.80s", name);
}

/* rel resolved against base, without its fragment; NULL when it is not a
 * URL, or a page served over https names something else than https. */
static char *resolve(const char *base, const char *rel)
{
	CURLU *u = CU(curl_url)();
	char *url = NULL, *out = NULL;

	if (u && CU(curl_url_set)(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    CU(curl_url_set)(u, CURLUPART_URL, rel, 0) == CURLUE_OK &&
	    CU(curl_url_set)(u, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
	    CU(curl_url_get)(u, CURLUPART_URL, &url, 0) == CURLUE_OK &&
	    (strncmp(base, "https:", 6) || !strncmp(url, "https:", 6)))
		out = util_xstrdup(url);
	if (url)
		CU(curl_free)(url);
	if (u)
		CU(curl_url_cleanup)(u);
	return out;
}

/* rel resolved against a file:// base without libcurl (a local index
 * needs no network library): a relative or absolute path, or a file://
 * URL, with its fragment and query dropped and "." / ".." resolved; NULL
 * for anything else (another scheme, a network path), which libcurl
 * resolves. */
static char *resolve_local(const char *base, const char *rel)
{
	size_t rl = strcspn(rel, "#?"), colon = strcspn(rel, ":/");
	struct util_buf path = UTIL_BUF_INIT, out = UTIL_BUF_INIT;
	const char *bp = base + 7;

	if (strncasecmp(base, "file:///", 8) || !strncmp(rel, "//", 2))
		return NULL;
	if (colon < rl && rel[colon] == ':') {
		if (strncasecmp(rel, "file:///", 8))
			return NULL;
		util_buf_add(&path, rel + 7, rl - 7);
	} else if (rel[0] == '/') {
		util_buf_add(&path, rel, rl);
	} else {
		size_t dir = strcspn(bp, "#?");
		while (dir && bp[dir - 1] != '/')
			dir--;
		util_buf_add(&path, bp, dir);
		util_buf_add(&path, rel, rl);
	}
	util_buf_str(&path);
	/* Segments: "." dropped, ".." removes the one before. */
	util_buf_puts(&out, "file://");
	size_t root = out.len;
	for (const char *seg = path.data + 1;;) {
		size_t n = strcspn(seg, "/");
		bool last = !seg[n];
		if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.')) {
			if (n == 2 && out.len > root) {
				while (out.len > root && out.data[out.len - 1] != '/')
					out.len--;
				if (out.len > root)
					out.len--;
			}
			if (last)
				util_buf_putc(&out, '/');
		} else {
			util_buf_putc(&out, '/');
			util_buf_add(&out, seg, n);
		}
		if (last)
			break;
		seg += n + 1;
	}
	util_buf_free(&path);
	return util_buf_steal(&out);
}

/* Resolves href against base; the link's last path component must be its
 * file name (PEP 503). A provenance URL that does not resolve is left out
 * (the file then has none from the index). */
static void add_link(struct registry *r, struct registry_page *page, const char *base, const char *href,
		     size_t href_len, const struct registry_link *in)
{
	const char *filename = in->filename, *provenance = in->provenance;
	char *url = NULL, *path = NULL, *rel = util_xstrndup(href, href_len), *prov = NULL;
	struct pl_error err;

	if (!safe_name(filename)) {
		refuse(page, filename);
		goto out;
	}
	if ((url = resolve_local(base, rel))) {
		path = registry_local_path(url);
		if (provenance && *provenance)
			prov = resolve_local(base, provenance);
	} else {
		CURLU *u = curl_ready(r, &err) == 0 ? CU(curl_url)() : NULL;
		char *cu = NULL, *cp = NULL;
		if (u && CU(curl_url_set)(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
		    CU(curl_url_set)(u, CURLUPART_URL, rel, 0) == CURLUE_OK &&
		    CU(curl_url_set)(u, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
		    CU(curl_url_get)(u, CURLUPART_URL, &cu, 0) == CURLUE_OK &&
		    CU(curl_url_get)(u, CURLUPART_PATH, &cp, CURLU_URLDECODE) == CURLUE_OK) {
			url = util_xstrdup(cu);
			path = util_xstrdup(cp);
		}
		if (cu)
			CU(curl_free)(cu);
		if (cp)
			CU(curl_free)(cp);
		if (u)
			CU(curl_url_cleanup)(u);
		if (url && provenance && *provenance)
			prov = resolve(base, provenance);
	}
	const char *last = path ? strrchr(path, '/') : NULL;
	/* A page served over https links only to https: never to local files. */
	if (!url || !path || strcmp(last ? last + 1 : path, filename) ||
	    (!strncmp(base, "https:", 6) && strncmp(url, "https:", 6))) {
		refuse(page, filename);
		goto out;
	}
	page->links = util_xrealloc(page->links, (page->n + 1) * sizeof(*page->links));
	page->links[page->n++] = (struct registry_link){
		.filename = util_xstrdup(filename),
		.url = url,
		.sha256 = in->sha256 ? util_xstrdup(in->sha256) : NULL,
		.provenance = prov,
		.requires_python = in->requires_python ? util_xstrdup(in->requires_python) : NULL,
		.yanked = in->yanked,
		.core_metadata = in->core_metadata,
		.core_metadata_sha256 = in->core_metadata_sha256 ? util_xstrdup(in->core_metadata_sha256) : NULL,
		.size = in->size,
		.upload_time = in->upload_time ? util_xstrdup(in->upload_time) : NULL,
	};
	url = prov = NULL;
out:
	free(url);
	free(prov);
	free(path);
	free(rel);
}

/* HTML character references in attribute values and anchor text. */
static void unescape(struct util_buf *out, const char *s, size_t len)
{
	static const struct { const char *name; char c; } named[] = {
		{ "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' }, { "apos;", '\'' },
	};

	util_buf_truncate(out, 0);
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '&') {
			/* A NUL would cut the name short: kept as a control byte, the
			 * entry is refused. */
			util_buf_putc(out, s[i] ? s[i] : 1);
			continue;
		}
		size_t k;
		for (k = 0; k < sizeof(named) / sizeof(*named); k++) {
			size_t n = strlen(named[k].name);
			if (i + 1 + n <= len && !strncmp(s + i + 1, named[k].name, n)) {
				util_buf_putc(out, named[k].c);
				i += n;
				break;
			}
		}
		if (k < sizeof(named) / sizeof(*named))
			continue;
		if (i + 2 < len && s[i + 1] == '#') {
			bool hexa = s[i + 2] == 'x' || s[i + 2] == 'X';
			size_t j = i + 2 + hexa;
			unsigned long v = 0;
			while (j < len && j - i < 10 && (hexa ? strchr("0123456789abcdefABCDEF", s[j]) : strchr("0123456789", s[j])))
				v = v * (hexa ? 16 : 10) + (unsigned long)(s[j] <= '9' ? s[j] - '0' : (s[j] | 0x20) - 'a' + 10), j++;
			if (j < len && s[j] == ';' && v > 0 && v < 0x80) {
				util_buf_putc(out, (char)v);
				i = j;
				continue;
			}
			/* Non-ASCII references never occur in a valid file name:
			 * kept as a control byte, the name is refused. */
			if (j < len && s[j] == ';') {
				util_buf_putc(out, 1);
				i = j;
				continue;
			}
		}
		util_buf_putc(out, '&');
	}
	util_buf_str(out);
}

static const char *find_ci(const char *s, const char *end, const char *what)
{
	size_t n = strlen(what);

	for (; s + n <= end; s++)
		if (!strncasecmp(s, what, n))
			return s;
	return NULL;
}

/* The value of attribute name in a tag's text [s, end), or NULL. */
static const char *attribute(const char *s, const char *end, const char *name, size_t *len)
{
	size_t n = strlen(name);

	while (s < end) {
		while (s < end && strchr(" \t\r\n/", *s))
			s++;
		const char *key = s;
		while (s < end && !strchr(" \t\r\n=>", *s))
			s++;
		size_t keylen = (size_t)(s - key);
		while (s < end && strchr(" \t\r\n", *s))
			s++;
		const char *v = s, *vend = s;
		if (s < end && *s == '=') {
			s++;
			while (s < end && strchr(" \t\r\n", *s))
				s++;
			if (s < end && (*s == '"' || *s == '\'')) {
				char q = *s++;
				v = s;
				while (s < end && *s != q)
					s++;
				vend = s;
				if (s < end)
					s++;
			} else {
				v = s;
				while (s < end && !strchr(" \t\r\n>", *s))
					s++;
				vend = s;
			}
		}
		if (keylen == n && !strncasecmp(key, name, n)) {
			*len = (size_t)(vend - v);
			return v;
		}
		if (keylen == 0 && s < end)
			s++;
	}
	return NULL;
}

int registry_page_parse_html(struct registry *r, const char *text, size_t len, const char *base_url,
			     struct registry_page *page, struct pl_error *err)
{
	const char *s = text, *end = text + len;
	struct util_buf href = UTIL_BUF_INIT, name = UTIL_BUF_INIT, provenance = UTIL_BUF_INIT;
	struct util_buf requires_python = UTIL_BUF_INIT;

	memset(page, 0, sizeof(*page));
	if (strncmp(base_url, "file:", 5) && curl_ready(r, err) < 0)
		return -1;
	while ((s = find_ci(s, end, "<a"))) {
		if (s + 2 >= end || !strchr(" \t\r\n", s[2])) {
			s += 2;
			continue;
		}
		const char *tag = s + 2, *tag_end = tag;
		char quote = 0;
		for (; tag_end < end && (quote || *tag_end != '>'); tag_end++)
			if (*tag_end == '"' || *tag_end == '\'')
				quote = quote == *tag_end ? 0 : quote ? quote : *tag_end;
		if (tag_end >= end)
			break;
		const char *text_start = tag_end + 1, *close = find_ci(text_start, end, "</a");
		if (!close)
			break;
		size_t hlen;
		const char *h = attribute(tag, tag_end, "href", &hlen);
		s = close + 3;
		if (!h)
			continue;
		const char *t = text_start, *te = close;
		while (t < te && strchr(" \t\r\n", *t))
			t++;
		while (te > t && strchr(" \t\r\n", te[-1]))
			te--;
		size_t plen, rplen, mlen, ylen;
		const char *prov = attribute(tag, tag_end, "data-provenance", &plen);
		const char *rp = attribute(tag, tag_end, "data-requires-python", &rplen);
		const char *meta = attribute(tag, tag_end, "data-core-metadata", &mlen);
		if (!meta)
			meta = attribute(tag, tag_end, "data-dist-info-metadata", &mlen);
		unescape(&name, t, (size_t)(te - t));
		unescape(&href, h, hlen);
		if (prov)
			unescape(&provenance, prov, plen);
		if (rp)
			unescape(&requires_python, rp, rplen);
		struct registry_link in = {
			.filename = (char *)util_buf_str(&name),
			.provenance = prov ? (char *)util_buf_str(&provenance) : NULL,
			.requires_python = rp ? (char *)util_buf_str(&requires_python) : NULL,
			.yanked = attribute(tag, tag_end, "data-yanked", &ylen) != NULL,
			.size = -1,
		};
		char meta_hex[65];
		/* PEP 658: "true", or HASHNAME=hex (only sha256's is checked). */
		if (meta && !(mlen == 5 && !strncasecmp(meta, "false", 5))) {
			in.core_metadata = true;
			if (mlen == 71 && !strncmp(meta, "sha256=", 7) && is_hex64(meta + 7, 64)) {
				memcpy(meta_hex, meta + 7, 64);
				meta_hex[64] = 0;
				in.core_metadata_sha256 = meta_hex;
			}
		}
		/* PEP 503: the URL's fragment may carry HASHNAME=hex. */
		const char *frag = strchr(util_buf_str(&href), '#'), *sha = NULL;
		char hex[65];
		size_t hl = frag ? (size_t)(frag - href.data) : href.len;
		if (frag && !strncmp(frag, "#sha256=", 8) && is_hex64(frag + 8, strlen(frag + 8))) {
			memcpy(hex, frag + 8, 65);
			sha = hex;
		}
		in.sha256 = (char *)sha;
		add_link(r, page, base_url, util_buf_str(&href), hl, &in);
	}
	util_buf_free(&href);
	util_buf_free(&name);
	util_buf_free(&provenance);
	util_buf_free(&requires_python);
	return 0;
}

int registry_page_parse_json(struct registry *r, const char *text, size_t len, const char *base_url,
			     struct registry_page *page, struct pl_error *err)
{
	json_error_t jerr;
	json_t *root, *files, *file;
	const char *version;
	size_t i;

	memset(page, 0, sizeof(*page));
	if (strncmp(base_url, "file:", 5) && curl_ready(r, err) < 0)
		return -1;
	if (!(root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)))
		return pl_error_set(err, base_url, jerr.line, jerr.column, "not a PEP 691 page: %s", jerr.text);
	/* PEP 691: a client must refuse a major version it does not know. */
	version = json_string_value(json_object_get(json_object_get(root, "meta"), "api-version"));
	if (!version || strncmp(version, "1.", 2)) {
		pl_error_set(err, NULL, 0, 0, "%s: unsupported simple API version %.20s (pylock reads 1.x)", base_url,
			     version ? version : "(none)");
		json_decref(root);
		return -1;
	}
	if (!json_is_array(files = json_object_get(root, "files"))) {
		json_decref(root);
		return pl_error_set(err, NULL, 0, 0, "%s: not a PEP 691 page: no \"files\" array", base_url);
	}
	json_array_foreach(files, i, file) {
		const char *name = json_string_value(json_object_get(file, "filename"));
		const char *url = json_string_value(json_object_get(file, "url"));
		const char *sha = json_string_value(json_object_get(json_object_get(file, "hashes"), "sha256"));
		json_t *yanked = json_object_get(file, "yanked"), *meta = json_object_get(file, "core-metadata");
		json_t *size = json_object_get(file, "size");

		if (!name || !url) {
			refuse(page, name ? name : "(an entry without filename or url)");
			continue;
		}
		if (sha && !is_hex64(sha, strlen(sha)))
			sha = NULL;
		if (!meta)
			meta = json_object_get(file, "dist-info-metadata");
		struct registry_link in = {
			.filename = (char *)name,
			.sha256 = (char *)sha,
			.provenance = (char *)json_string_value(json_object_get(file, "provenance")),
			.requires_python = (char *)json_string_value(json_object_get(file, "requires-python")),
			/* PEP 691: true, or a string giving the reason. */
			.yanked = json_is_true(yanked) || json_is_string(yanked),
			.core_metadata = json_is_true(meta) || json_is_object(meta),
			.core_metadata_sha256 = (char *)json_string_value(json_object_get(meta, "sha256")),
			.size = json_is_integer(size) && json_integer_value(size) >= 0 ? json_integer_value(size) : -1,
			.upload_time = (char *)json_string_value(json_object_get(file, "upload-time")),
		};
		if (in.core_metadata_sha256 && !is_hex64(in.core_metadata_sha256, strlen(in.core_metadata_sha256)))
			in.core_metadata_sha256 = NULL;
		add_link(r, page, base_url, url, strlen(url), &in);
	}
	json_decref(root);
	return 0;
}

static char *page_url(const char *index_url, const char *name)
{
	struct util_buf b = UTIL_BUF_INIT;

	util_buf_puts(&b, index_url);
	if (!b.len || b.data[b.len - 1] != '/')
		util_buf_putc(&b, '/');
	util_buf_printf(&b, "%s/", name);
	/* A file:// index is a folder tree: its pages are index.json (PEP 691)
	 * or index.html files. */
	if (!strncmp(index_url, "file:", 5)) {
		util_buf_puts(&b, "index.json");
		char *path = registry_local_path(b.data);
		struct stat st;
		if (!path || stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			util_buf_truncate(&b, b.len - strlen("index.json"));
			util_buf_puts(&b, "index.html");
		}
		free(path);
	}
	return util_buf_steal(&b);
}

int registry_page_fetch(struct registry *r, const char *index_url, const char *name, struct registry_page *page,
			struct pl_error *err)
{
	struct util_buf body = UTIL_BUF_INIT;
	struct curl_slist *accept = NULL;
	char *url = page_url(index_url, name), *type = NULL, *effective = NULL;
	int code, rc = -1;

	memset(page, 0, sizeof(*page));
	/* A local index is read without libcurl. */
	if (strncasecmp(url, "file:", 5)) {
		if (curl_ready(r, err) < 0)
			goto out;
		accept = CU(curl_slist_append)(NULL, "Accept: application/vnd.pypi.simple.v1+json, "
					       "application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01");
	}
	code = get(r, url, REGISTRY_PAGE_MAX, &body, &type, accept, err);
	if (code < 0)
		goto out;
	if (code != 200) {
		pl_error_set(err, NULL, 0, 0, "%s: HTTP %d", url, code);
		/* The index does not have the project. */
		if (code == 404 || code == 410)
			rc = 1;
		goto out;
	}
	if (strncasecmp(url, "file:", 5))
		CU(curl_easy_getinfo)(r->curl, CURLINFO_EFFECTIVE_URL, &effective);
	util_buf_str(&body);
	if ((type && !strncasecmp(type, "application/vnd.pypi.simple.v1+json", 35)) ||
	    (!strncasecmp(url, "file:", 5) && strlen(url) > 11 && !strcmp(url + strlen(url) - 11, "/index.json")))
		rc = registry_page_parse_json(r, body.data, body.len, effective ? effective : url, page, err);
	else
		rc = registry_page_parse_html(r, body.data, body.len, effective ? effective : url, page, err);
out:
	if (accept)
		CU(curl_slist_free_all)(accept);
	util_buf_free(&body);
	free(type);
	free(url);
	return rc;
}

/* ---- finding a file on its index ---- */

/* The link of filename on index's page for norm_name (the last page read
 * is kept), or NULL with why. */
static const struct registry_link *find_link(struct registry *r, const char *index, const char *norm_name,
					     const char *filename, char *why, size_t whylen)
{
	struct pl_error err;

	if (strncmp(index, "https://", 8) && strncmp(index, "file://", 7)) {
		snprintf(why, whylen, "%.200s: only https:// and file:// indexes are read", index);
		return NULL;
	}
	char *url = page_url(index, norm_name);
	if (!r->page_url || strcmp(r->page_url, url)) {
		registry_page_fini(&r->page);
		free(r->page_url);
		r->page_url = NULL;
		if (registry_page_fetch(r, index, norm_name, &r->page, &err) != 0) {
			char msg[1400];

			snprintf(why, whylen, "%.300s", pl_error_format(&err, msg, sizeof(msg)));
			free(url);
			return NULL;
		}
		r->page_url = url;
	} else {
		free(url);
	}
	for (size_t i = 0; i < r->page.n; i++)
		if (!strcmp(r->page.links[i].filename, filename))
			return &r->page.links[i];
	if (r->page.refused)
		snprintf(why, whylen, "the index lists no %.100s; it refused %zu unsafe entr%s such as '%s'", filename,
			 r->page.refused, r->page.refused == 1 ? "y" : "ies", r->page.refused_example);
	else
		snprintf(why, whylen, "the index lists no %.200s", filename);
	return NULL;
}

char *registry_find(struct registry *r, const char *index, const char *norm_name, const char *filename, char *why,
		    size_t whylen)
{
	const struct registry_link *l = find_link(r, index, norm_name, filename, why, whylen);

	return l ? util_xstrdup(l->url) : NULL;
}

char *registry_find_provenance(struct registry *r, const char *index, const char *norm_name, const char *filename)
{
	char why[320];
	const struct registry_link *l = find_link(r, index, norm_name, filename, why, sizeof(why));

	return l && l->provenance ? util_xstrdup(l->provenance) : NULL;
}

/* ---- downloading ---- */

struct file_sink {
	struct registry *r;
	int fd;
	struct trust_digester *hash;
	uint64_t got, max;
	bool too_big, write_failed;
	int write_errno;
};

static size_t file_write(char *data, size_t size, size_t n, void *arg)
{
	struct file_sink *s = arg;

	if (redirecting(s->r))
		return n;
	if (s->got + n > s->max) {
		s->too_big = true;
		return 0;
	}
	if (util_write_all(s->fd, data, n) < 0) {
		s->write_failed = true;
		s->write_errno = errno;
		return 0;
	}
	if (s->hash)
		trust_digester_update(s->hash, data, n);
	s->got += n;
	return n;
}

enum registry_got registry_download(struct registry *r, const char *url, int fd, uint64_t max,
				    struct trust_digester *hash, uint64_t *got, struct pl_error *err)
{
	struct file_sink sink = { .r = r, .fd = fd, .hash = hash, .max = max };
	CURLcode rc;

	*got = 0;
	if (curl_ready(r, err) < 0)
		return REGISTRY_FAILED;
	setup(r);
	CU(curl_easy_setopt)(r->curl, CURLOPT_WRITEFUNCTION, file_write);
	CU(curl_easy_setopt)(r->curl, CURLOPT_WRITEDATA, &sink);
	rc = perform(r, url);
	*got = sink.got;
	if (sink.too_big)
		return REGISTRY_TOO_BIG;
	if (sink.write_failed) {
		errno = sink.write_errno;
		pl_error_errno(err, NULL, "cannot write what %s sends", url);
		return REGISTRY_WRITE_FAILED;
	}
	if (rc == CURLE_FILE_COULDNT_READ_FILE)
		return REGISTRY_NO_FILE;
	if (rc != CURLE_OK) {
		transfer_error(r, url, rc, err);
		return REGISTRY_FAILED;
	}
	return REGISTRY_GOT;
}
