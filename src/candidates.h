/* candidates: what the indexes offer a resolver — for a project, its
 * versions (from PEP 691 / PEP 503 pages, first index that has it), their
 * files, each file's verdict under the trust policy (checked from the
 * index's sha256 and the .sig / provenance beside the file, without
 * fetching it), and each version's core metadata (the PEP 658 .metadata
 * file, else the wheel fetched into the store through admit and read with
 * libzip; cached by the wheel's sha256). Pages and verdicts are read once
 * and shared by every environment a lock is made for. */
#ifndef PYLOCK_CANDIDATES_H
#define PYLOCK_CANDIDATES_H

#include <stdbool.h>
#include <stddef.h>

#include "metadata.h"
#include "pep440.h"
#include "pep508.h"
#include "registry.h"
#include "trust.h"

#define CANDIDATES_MAX_VERSIONS 20000	/* of one project; more are left out */

struct cand_file {
	const struct registry_link *link;
	bool wheel;
	bool checked;			/* trust verdict known */
	struct trust_result trust;
};

struct cand_project;

/* A requirement, parsed once: what it names and which of that project's
 * versions it allows. */
struct cand_requirement {
	char *text;			/* as written, without its marker */
	struct cand_project *proj;	/* the project it names */
	char **extras;			/* normalised */
	size_t nextras;
	struct pep508_marker *marker;	/* NULL: none */
	bool url;			/* NAME @ URL */
	bool pre;			/* its specifier names a pre-release */
	uint64_t *allowed;		/* bit i: proj->versions[i] satisfies it; a
					 * yanked one only when pinned with == */
};

struct cand_version {
	char *text;			/* normalised */
	struct pep440_version v;
	bool yanked;			/* every file of it is (PEP 592) */
	struct cand_file *files;
	size_t nfiles;
	int meta_state;			/* 0 not read, 1 read, -1 unreadable (meta_error) */
	char *meta_error;
	struct metadata meta;
	struct cand_requirement *reqs;	/* its Requires-Dist, once read */
	size_t nreqs;
	bool reqs_read;
};

struct cand_project {
	char *name;			/* normalised */
	char *index;			/* the index it was found on; NULL: none has it */
	struct registry_page page;
	struct cand_version *versions;	/* ascending */
	size_t n;
};

struct candidates_options {
	char *const *indexes;		/* searched in order */
	size_t nindexes;
	struct registry_options fetch;
	const struct trust_policy *policy;
	bool check_trust;		/* else every file counts as admitted */
	const char *store;		/* where fetched wheels are kept */
	const char *cache;		/* the metadata cache folder; NULL: none */
};

struct candidates;
struct candidates *candidates_new(const struct candidates_options *o, struct pl_error *err);
void candidates_free(struct candidates *c);

/* The project named name (any spelling), its page read on first use.
 * NULL with err when an index could not be read (a project no index has
 * is no error: it has no versions). */
struct cand_project *candidates_project(struct candidates *c, const char *name, struct pl_error *err);
/* Whether file f may go into a lock under the policy (r, may be NULL, gets
 * the verdict). */
bool candidates_admitted(struct candidates *c, const struct cand_project *p, struct cand_version *v,
			 struct cand_file *f, struct trust_result *r);
/* Reads v's core metadata from file f (a wheel): 0, or -1 with v->meta_error
 * (the version cannot be used). */
int candidates_metadata(struct candidates *c, const struct cand_project *p, struct cand_version *v,
			struct cand_file *f);
/* Parses a requirement, reading the page of the project it names: 0; -1
 * when text is not one (why and at say where); -2 with err when the page
 * cannot be read. Free with candidates_requirement_fini. */
int candidates_requirement(struct candidates *c, const char *text, struct cand_requirement *r, const char **why,
			   size_t *at, struct pl_error *err);
void candidates_requirement_fini(struct cand_requirement *r);
/* v's Requires-Dist (its metadata read first), parsed once: 0; -1 with why
 * when one is malformed (the version cannot be used); -2 with err. */
int candidates_requirements(struct candidates *c, struct cand_version *v, struct util_buf *why,
			    struct pl_error *err);

#endif
