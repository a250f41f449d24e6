/* registry: transport only — PEP 503 (HTML) / PEP 691 (JSON) simple index
 * pages, and files over https:// (libcurl, loaded on first use) and
 * file://, from the hosts pylock may connect to. What a locked file's bytes
 * are worth is admit's question. */
#ifndef PYLOCK_REGISTRY_H
#define PYLOCK_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	char *provenance;	/* PEP 740's provenance URL (PEP 691 "provenance", PEP 503
				 * data-provenance), resolved like url; NULL when none */
	char *requires_python;	/* data-requires-python / "requires-python", NULL when none */
	bool yanked;		/* PEP 592 */
	bool core_metadata;	/* PEP 658/714: the METADATA is at url + ".metadata" */
	char *core_metadata_sha256;	/* its hash when the index gives one */
	int64_t size;		/* PEP 700 "size"; -1 when not given */
	char *upload_time;	/* PEP 700 "upload-time" (ISO 8601), NULL when not given */
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
/* Fetches and parses index_url/NAME/ (NAME normalised; JSON preferred: a
 * file:// index's NAME/index.json, else its NAME/index.html). 0, 1 when
 * the index has no such project (HTTP 404 or 410, or no such folder), -1;
 * err says why when not 0. */
int registry_page_fetch(struct registry *r, const char *index_url, const char *name, struct registry_page *page,
			struct pl_error *err);
void registry_page_fini(struct registry_page *page);

/* The url of filename on index's page for the project norm_name (PEP 751:
 * a tool may use the index when the file's url no longer works), or NULL
 * with why. The last page is kept: a package's files are looked up one by
 * one. */
char *registry_find(struct registry *r, const char *index, const char *norm_name, const char *filename, char *why,
		    size_t whylen);

/* The PEP 740 provenance URL the index gives for filename (the page is
 * the one registry_find keeps), or NULL when it gives none or cannot be
 * read. */
char *registry_find_provenance(struct registry *r, const char *index, const char *norm_name, const char *filename);

enum registry_got {
	REGISTRY_GOT,
	REGISTRY_NO_FILE,	/* the server or folder has no such file */
	REGISTRY_TOO_BIG,	/* it sent more than max bytes */
	REGISTRY_WRITE_FAILED,	/* fd refused them (err keeps errno's text) */
	REGISTRY_FAILED,	/* the transfer failed: err says why */
};
/* Streams url into fd, no more than max bytes, each fed to hash (may be
 * NULL) as it is written; *got counts them. */
enum registry_got registry_download(struct registry *r, const char *url, int fd, uint64_t max,
				    struct trust_digester *hash, uint64_t *got, struct pl_error *err);

/* The path of a file:// URL (file:///p or file://localhost/p, percent-
 * decoded), or NULL when url is not a local absolute file URL. */
char *registry_local_path(const char *url);

/* GETs a small resource into memory (at most max bytes). Returns the HTTP
 * status (200 for file://), or -1 with err when the transfer failed. */
int registry_get(struct registry *r, const char *url, size_t max, struct util_buf *body, char **content_type,
		 struct pl_error *err);

#endif
