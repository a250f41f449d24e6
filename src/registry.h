/* registry: where a locked file's bytes come from — a path beside the lock,
 * a file:// or https:// URL, a registry's mirror folder, or a PEP 503 (HTML)
 * / PEP 691 (JSON) simple index — and fetching them into the store with
 * libcurl, hashed while they stream in. libcurl is loaded on first use. */
#ifndef PYLOCK_REGISTRY_H
#define PYLOCK_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "lock.h"
#include "trust.h"
#include "util.h"

#define REGISTRY_PAGE_MAX (32u << 20)	/* one project's index page */
#define REGISTRY_NAME_MAX 255		/* a file name in an index */

/* The https hosts fetched from when config.yaml names none. */
#define REGISTRY_DEFAULT_HOSTS { "pypi.org", "files.pythonhosted.org" }

struct registry_options {
	const char *ca_file;	/* NULL: the system's CA store */
	long timeout;		/* seconds without progress before giving up; 0: 30 */
	long deadline;		/* seconds a request (its redirects included) may take; 0: 600 */
	/* The https hosts pylock may connect to: these (config.yaml fetch:
	 * hosts; PyPI's when not hosts_set) and those of the policy's
	 * registries. Anything else, named by a lock, an index page or a
	 * redirect, is refused before it is looked up. */
	char *const *hosts;
	size_t nhosts;
	bool hosts_set;
	const struct trust_policy *policy;
};

/* One connection cache; not shared between threads. */
struct registry;
struct registry *registry_new(const struct registry_options *o, struct pl_error *err);
void registry_free(struct registry *r);

/* Refuses a lock that names an https host (a file's url, a package's
 * index) pylock may not fetch from, naming it and where the lock names it. */
int registry_check_lock(const struct registry_options *o, const struct lock *lock, struct pl_error *err);

/* A project page's files (PEP 503 / PEP 691). Entries whose name is unsafe
 * (a / or \, a leading dot, "..", control characters, too long) or does not
 * match its URL's last component are refused and counted, never listed. */
struct registry_link {
	char *filename, *url;
	char *sha256;		/* from the index, NULL when it gives none */
};

struct registry_page {
	struct registry_link *links;
	size_t n;
	size_t refused;
	char refused_example[96];	/* the first refused name, for errors */
};

/* Parses a page fetched from base_url (relative links resolve against it). */
int registry_page_parse_html(struct registry *r, const char *text, size_t len, const char *base_url,
			     struct registry_page *page, struct pl_error *err);
int registry_page_parse_json(struct registry *r, const char *text, size_t len, const char *base_url,
			     struct registry_page *page, struct pl_error *err);
/* Fetches and parses index_url/NAME/ (NAME normalised; JSON preferred). */
int registry_page_fetch(struct registry *r, const char *index_url, const char *name, struct registry_page *page,
			struct pl_error *err);
void registry_page_fini(struct registry_page *page);

/* Finds one locked file, fetches it when remote, and checks it; res gets
 * its status. Found by, in order: its path (relative to lock_dir), the
 * policy's mirror folder for the package's index, its file:// or https://
 * url, and — when that fails and the package names an index — the index's
 * project page. Remote files are checked in the store (fetched there when
 * absent; admitted only when they pass). With admit, local files are
 * admitted into the store too. *checked gets the path of the bytes checked
 * (malloc'd; with admit, only when admissible). r may be NULL only for
 * locks without remote files; store may be NULL only without admit. */
void registry_obtain(struct registry *r, const char *store, const struct trust_policy *p,
		     struct trust_cache *cache, const char *lock_dir, const struct lock_package *pkg,
		     const struct lock_file *f, bool admit, char **checked, struct trust_result *res);

/* Streams url into the store (hashing as it comes, stopping as soon as it
 * exceeds the locked size), fetches url.sig beside it, and commits through
 * store_stage_commit(): only bytes with the lock's hash that the policy
 * admits become visible. res always gets a status: `missing` with the
 * reason when the network failed. */
int registry_fetch(struct registry *r, const char *store_root, const struct trust_policy *p,
		   const struct lock_package *pkg, const struct lock_file *f, const char *url, char **blob,
		   struct trust_result *res, struct pl_error *err);

/* GETs a small resource into memory (at most max bytes). Returns the HTTP
 * status (200 for file://), or -1 with err when the transfer failed. */
int registry_get(struct registry *r, const char *url, size_t max, struct util_buf *body, char **content_type,
		 struct pl_error *err);

#endif
