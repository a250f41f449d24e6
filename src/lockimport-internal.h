/* What the readers of poetry.lock, pdm.lock and requirements files hand to
 * the common writer: packages whose files are named by hash (and by file
 * name, when the format gives one) but not by URL, found on an index page
 * by that hash (lockimport-index.c). */
#ifndef PYLOCK_LOCKIMPORT_INTERNAL_H
#define PYLOCK_LOCKIMPORT_INTERNAL_H

#include <stdint.h>

#include "lockimport.h"

#define LOCKIMPORT_MAX_ENTRIES 100000
#define LOCKIMPORT_MAX_FILES 100000	/* of one package */

struct lockimport_file {
	char *name;		/* as the source names it; NULL when it does not (requirements) */
	char algo[16];		/* hashlib's name, lower case */
	char *hex;		/* lower case */
	int line, col;
};

struct lockimport_entry {
	char *name, *version;
	char *marker;		/* NULL: always */
	char *index;		/* the source's own index for it; NULL: the set's */
	char *direct;		/* a whole source line (vcs, archive, directory) for a
				 * package not from an index; NULL: from an index */
	struct lockimport_file *files;
	size_t nfiles;
	int line, col;		/* where the source has it */
};

struct lockimport_set {
	const char *path, *format;	/* for errors, and the header comment */
	struct lockimport_entry *e;
	size_t n;
	char **indexes;		/* the source's own, searched first */
	size_t nindexes;
	bool replaces_default;	/* the source named its main index (-i): no PyPI fallback */
	char *requires_python;
	char **extras;		/* the lock's extras (PEP 751's extras marker set) */
	size_t nextras;
	char *pyproject;	/* the pyproject.toml read beside the lock, for errors */
};

struct lockimport_entry *lockimport_set_add(struct lockimport_set *s, const char *name, const char *version,
					    int line, int col);
/* A file by "ALGO:HEX" (poetry, pdm) or algo and hex (requirements). 0, or
 * -1 with err at line:col. */
int lockimport_entry_file(struct lockimport_set *s, struct lockimport_entry *e, const char *name, const char *hash,
			  int line, int col, struct pl_error *err);
void lockimport_set_add_extra(struct lockimport_set *s, const char *extra);
/* Finds every file on the indexes (the entry's, the set's, the options',
 * else PyPI) by its hash and writes the PEP 751 lock; checked to read. */
int lockimport_set_write(struct lockimport_set *s, const struct lockimport_options *o, struct util_buf *out,
			 struct pl_error *err);
void lockimport_set_fini(struct lockimport_set *s);

/* Markers over a dependency graph (lockimport-graph.c). Node 0 is the
 * root; a node's marker is the disjunction, over the paths that reach it,
 * of the conjunction of the markers on their edges. */
/* A conjunction of edge markers, as sorted indexes into the atom table;
 * empty = true. A marker is a set of them, none containing another. */
struct conj {
	uint32_t *a;
	uint32_t n;
};

struct dnf {
	struct conj *c;
	size_t n;
};

struct edge {
	size_t from, to;
	long atom;		/* -1: no marker */
};

struct lockimport_graph {
	size_t nnodes;
	char **atoms;		/* the edge markers, each once */
	size_t natoms;
	struct edge *e;
	size_t ne;
	struct dnf *m;		/* per node, after propagating */
};

/* A new node (the first one made is the root). */
size_t lockimport_graph_node(struct lockimport_graph *g);
/* The index of an edge marker (its text, checked by the caller); -2 when
 * there are more different ones than pylock combines. */
long lockimport_graph_atom(struct lockimport_graph *g, const char *marker);
/* An edge, atom -1 for none. */
void lockimport_graph_edge(struct lockimport_graph *g, size_t from, size_t to, long atom);
/* Every node's marker; -1 with *overflow naming the node whose marker
 * grew past its bound. */
int lockimport_graph_propagate(struct lockimport_graph *g, size_t *overflow);
bool lockimport_graph_reached(const struct lockimport_graph *g, size_t node);
/* The node's marker as PEP 508 text; NULL for true (malloc'd). */
char *lockimport_graph_marker(const struct lockimport_graph *g, size_t node);
void lockimport_graph_fini(struct lockimport_graph *g);

/* A walk from the project over a lock without groups per package
 * (lockimport-walk.c): n entries, described by lockimport_walk_package;
 * requirements from the root (node 0) or an entry (node i + 1); expand is
 * called once for each entry reached (extra NULL) and each extra of it
 * asked for, to require what they require. */
struct lockimport_walk;
typedef int (*lockimport_walk_expand)(void *ctx, struct lockimport_walk *w, size_t pkg, const char *extra);
struct lockimport_walk *lockimport_walk_new(struct lockimport_set *s, size_t n, struct pl_error *err);
/* Entry i; python (may be NULL) is the marker under which it is the one
 * meant when a requirement allows several entries of its name. */
void lockimport_walk_package(struct lockimport_walk *w, size_t i, const char *name, const char *version,
			     const char *python);
/* A PEP 508 requirement from node from, its marker and also (may be NULL)
 * both holding on the edge; errors at file:line:col (file NULL: the lock).
 * 1 when it allows no entry and may_miss (else that is an error). */
int lockimport_walk_require(struct lockimport_walk *w, size_t from, const char *req, const char *also, bool may_miss,
			    const char *file, int line, int col);
int lockimport_walk_run(struct lockimport_walk *w, lockimport_walk_expand expand, void *ctx);
int lockimport_walk_finish(struct lockimport_walk *w);
/* Whether entry pkg is reached, and under which marker (NULL: always). */
bool lockimport_walk_reached(const struct lockimport_walk *w, size_t pkg, char **marker);
void lockimport_walk_free(struct lockimport_walk *w);

/* A marker with poetry's `extra == "x"` (and !=) as PEP 751's
 * `"x" in extras`, each extra named added to s. Malloc'd; NULL with *why
 * when it is not a marker. */
char *lockimport_marker_extras(struct lockimport_set *s, const char *marker, const char **why, size_t *at);

/* Shared by the TOML readers. */
struct toml_value;
struct toml_doc;
/* A string value of t's key (none, not a string, or holding a NUL: NULL). */
const char *lockimport_str(const struct toml_value *t, const char *key);
/* Whether array (of strings) holds s, compared as normalised names. */
bool lockimport_array_has(const struct toml_value *array, const char *s);
/* Whether list holds s, compared as normalised names. */
bool lockimport_named(const char *const *list, size_t n, const char *s);
/* Whether the options choose group g: named, all, or a default group
 * (is_default) unless no_default_groups. */
bool lockimport_group_chosen(const struct lockimport_options *o, const char *g, bool is_default);
/* The pyproject.toml beside the lock at path: NULL when there is none (no
 * error) or it does not read (err set, *failed). */
struct toml_doc *lockimport_pyproject(const char *path, bool *failed, struct pl_error *err);
/* The lock's source entry for a package not from an index. */
void lockimport_put_vcs(struct lockimport_entry *e, const char *url, const char *requested, const char *commit,
			const char *subdirectory);
void lockimport_put_directory(struct lockimport_entry *e, const char *path, bool editable);
void lockimport_put_archive(struct lockimport_entry *e, const char *key, const char *where, const char *subdirectory);

/* key = ["a", "b"] (names sorted in place); nothing when n is 0. */
void lockimport_put_names(struct util_buf *out, const char *key, char **names, size_t n);
/* Whether a converted lock reads: SIZE_MAX when it does, else the index of
 * the entry (starts: where each begins in out) the error falls in, n when
 * before the first; why says what is wrong. */
size_t lockimport_blame(const struct util_buf *out, const size_t *starts, size_t n, struct pl_error *why);
/* upload-time = ISO 8601 date-time to the second, when t is one. */
void lockimport_put_upload_time(struct util_buf *b, const char *t);
/* A package's files = [{file (or url when url_ok), hash}] into e. */
int lockimport_toml_files(struct lockimport_set *s, const struct toml_value *pkg, struct lockimport_entry *e,
			  bool url_ok, struct pl_error *err);
/* poetry.lock and pdm.lock: metadata() judges the file (with the
 * pyproject.toml beside it, NULL when none), package() takes each
 * [[package]] table, finish() ends the reading, then the set is written
 * to out. */
struct lockimport_reader {
	int (*metadata)(void *ctx, const struct toml_value *root, const struct toml_value *pyproject);
	int (*package)(void *ctx, const struct toml_value *pkg);
	int (*finish)(void *ctx, const struct toml_value *pkgs);	/* after the last, with them all */
};
int lockimport_read_toml(struct lockimport_set *s, const char *text, size_t len, const struct lockimport_options *o,
			 const struct lockimport_reader *r, void *ctx, struct util_buf *out, struct pl_error *err);

int lockimport_requirements(const char *text, size_t len, const char *path, const struct lockimport_options *o,
			    struct util_buf *out, struct pl_error *err);
int lockimport_pdm(const char *text, size_t len, const char *path, const struct lockimport_options *o,
		   struct util_buf *out, struct pl_error *err);
int lockimport_poetry(const char *text, size_t len, const char *path, const struct lockimport_options *o,
		      struct util_buf *out, struct pl_error *err);

#endif
