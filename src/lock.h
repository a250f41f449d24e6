/* lock: the PEP 751 model ("pylock.toml Specification"): read and validate
 * a lockfile, and write one deterministically.
 *
 * Strings point into the parsed TOML document, which the lock keeps alive;
 * [tool] tables and keys pylock does not know are kept as TOML values, so a
 * read-write round trip loses nothing. */
#ifndef PYLOCK_LOCK_H
#define PYLOCK_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "toml.h"
#include "util.h"

#define LOCK_MAX_SIZE (256u << 20)	/* bytes of lockfile we agree to read */

struct lock_hash {
	const char *algo;	/* lower case, e.g. "sha256" */
	const char *value;	/* lower-case hex */
};

/* A wheel, an sdist, or an archive. */
struct lock_file {
	const char *name;	/* as written, or the last part of url/path */
	bool name_written;
	const char *url, *path;
	int64_t size;		/* -1 when not recorded */
	bool has_upload_time;
	struct toml_datetime upload_time;
	enum toml_type upload_time_type;
	struct lock_hash *hashes;	/* sorted by algorithm */
	size_t nhashes;
	const char *subdirectory;	/* archives */
	const struct toml_pair **extra;	/* keys pylock does not know */
	size_t nextra;
	uint32_t line, col;
};

enum lock_source_kind {
	LOCK_SOURCE_NONE,
	LOCK_SOURCE_FILES,	/* wheels and/or sdist */
	LOCK_SOURCE_VCS,
	LOCK_SOURCE_DIRECTORY,
	LOCK_SOURCE_ARCHIVE,
};

struct lock_package {
	const char *name;		/* as written (normalised in valid files) */
	char *norm_name;		/* normalised, owned */
	const char *version;		/* NULL when absent */
	const char *marker;
	const char *requires_python;
	const char *index;
	const struct toml_value *dependencies;	/* array of inline tables, or NULL */
	const struct toml_value *vcs;		/* tables kept as written */
	const struct toml_value *directory;
	enum lock_source_kind source;
	struct lock_file archive;
	bool has_archive;
	struct lock_file sdist;
	bool has_sdist;
	struct lock_file *wheels;
	size_t nwheels;
	const struct toml_value *attestation_identities;
	const struct toml_value *tool;
	const struct toml_pair **extra;	/* keys pylock does not know */
	size_t nextra;
	uint32_t line, col;		/* the [[packages]] entry */
	/* The entry's own bytes in the text the lock was read from, with its
	 * sub-tables, without the blank lines and comments after it; set by
	 * lock_keep_text (NULL otherwise). lock_write_update copies them. */
	const char *src;
	size_t src_len;
};

struct lock {
	char *path;			/* what errors name */
	struct toml_doc *doc;
	const char *lock_version;
	const struct toml_value *environments;	/* arrays of strings, or NULL */
	const char *requires_python;
	const struct toml_value *extras;
	const struct toml_value *dependency_groups;
	const struct toml_value *default_groups;
	const char *created_by;
	struct lock_package *packages;
	size_t npackages;
	const struct toml_value *tool;
	const struct toml_pair **extra;
	size_t nextra;
	const char *text;		/* the text it was read from, when kept (lock_keep_text) */
	size_t text_len;
	struct pl_error *warnings;	/* e.g. an unknown minor lock-version */
	size_t nwarnings;
};

/* Parses and validates. name is used in errors ("pylock.toml:12:5: ...").
 * A file holding git conflict markers fails with a message that starts with
 * "conflicted". Returns NULL on error. */
struct lock *lock_parse(const char *data, size_t len, const char *name, struct pl_error *err);
struct lock *lock_read(const char *path, struct pl_error *err);
void lock_free(struct lock *lock);

/* True, with the 1-based line, when data holds git conflict markers. */
bool lock_has_conflict_markers(const char *data, size_t len, int *line);

/* Deterministic TOML: spec key order, packages sorted by normalised name,
 * then version, then marker. Reading what it wrote and writing again gives
 * the same bytes. */
void lock_write(const struct lock *lock, struct util_buf *out);
/* The pieces of lock_write, for writers that mix locks (the 3-way merge). */
extern const char *const lock_top_keys[];	/* top-level keys in spec order, NULL-ended */
void lock_write_top(const struct lock *lock, const char *key, struct util_buf *out);
void lock_write_unknown(const struct lock *lock, struct util_buf *out);
void lock_write_package(const struct lock_package *p, struct util_buf *out);	/* "\n[[packages]]\n..." */
void lock_write_tool(const struct lock *lock, struct util_buf *out);
/* Only [tool.TOOL] (and its sub-tables), when the lock has it. */
void lock_write_tool_of(const struct lock *lock, const char *tool, struct util_buf *out);
/* Text written instead of what lock_write_update would write for a
 * top-level key (its line or lines) or a tool's tables (tool: every
 * [tool.NAME...] table): a value copied from another file in that file's
 * layout, or a conflict region. An empty text drops the key or tool. */
struct lock_override {
	const char *name;
	bool tool;
	const char *text;
	size_t len;
};

/* next written the way old_text (parsed as old) is: top-level keys and
 * package entries next has unchanged are copied byte for byte with what
 * lies around them (comments, blank lines, other tools' tables); a changed
 * package is written where it stood (its own bytes when it has src, as a
 * package from another side of a merge does), a removed one leaves with
 * its lines, an added one goes where a file sorted by name puts it (else at
 * the end), a new top-level key after the last one; a [tool.NAME] table
 * next has the same kept, one it has otherwise written where it stood (or
 * left out), a new one at the end. ov (nov entries, may be NULL) replaces
 * keys and tools. A file whose entries cannot be told apart this way gets
 * lock_write. */
void lock_write_update(const char *old_text, size_t old_len, const struct lock *old, const struct lock *next,
		       const struct lock_override *ov, size_t nov, struct util_buf *out);
/* Records text (which l was read from; it must outlive l's use of it) in
 * l and each package's entry in it. False, recording nothing, when the
 * entries cannot be told apart in the text. */
bool lock_keep_text(struct lock *l, const char *text, size_t len);
/* A top-level key's line(s), or every table of [tool.NAME] with what lies
 * between them, as text has them, appended to out; false when absent. */
bool lock_text_key(const char *text, size_t len, const char *key, bool tool, struct util_buf *out);
/* How a file's producer lays out a package entry (lock-style.c). */
#define LOCK_STYLE_KEYS 16
struct lock_style {
	bool known;			/* read off at least one entry */
	char keys[LOCK_STYLE_KEYS][24];	/* an entry's keys (and sub-tables) in the file's order */
	size_t nkeys;
	char file_keys[LOCK_STYLE_KEYS][24];	/* a file table's keys in order */
	size_t nfile_keys;
	bool tables;			/* files as [[packages.wheels]] / [packages.sdist] (pip) */
	bool hash_tables;		/* their hashes as [packages.wheels.hashes] */
	bool blank_before_tables;
	bool tool_tables;		/* the entry's tool as [packages.tool.NAME] (pdm) */
	bool padded;			/* "{ k = v }" (uv), else "{k = v}" (pdm) */
	char sdist_sep[3], wheel_sep[3];	/* between an inline file's pairs */
	bool wheel_one_line;		/* a single wheel as wheels = [{ ... }] (uv) */
	bool multiline_arrays;		/* other arrays one item per line (pdm) */
	char indent[9];			/* of an array's items */
};
/* Adds what one package entry's text (from its [[packages]] line) shows. */
void lock_style_read(struct lock_style *st, const char *entry, size_t len);
/* The package as the style lays it out, from its [[packages]] line. */
void lock_write_package_styled(const struct lock_package *p, const struct lock_style *st, struct util_buf *out);

/* Whether the two package lists say the same (in any order). */
bool lock_same_packages(const struct lock_package *a, size_t na, const struct lock_package *b, size_t nb);
/* Whether text reads as the lock l: the same packages (in any order), the
 * same top-level keys and [tool] (a check on what lock_write_update made). */
bool lock_reads_as(const char *text, size_t len, const struct lock *l);
/* The writer's order of packages: normalised name, PEP 440 version, marker. */
int lock_package_order(const struct lock_package *a, const struct lock_package *b);


/* Whether two packages say the same thing (what the writer would write the
 * same, up to the order of keys in kept tables). */
bool lock_package_equal(const struct lock_package *a, const struct lock_package *b);

/* How many hex digits a hash of this hashlib algorithm has; 0 when pylock
 * does not know the algorithm. */
int lock_hash_hex_len(const char *algo);
/* The file's sha256 hash (hex), NULL when the lock records none. */
const char *lock_file_sha256(const struct lock_file *f);
/* The strongest hash the lock records for the file that pylock checks
 * (sha512, sha3_*, blake2b/s, sha384, sha256, sha224), NULL when it has
 * none (no hashes, or only md5 / sha1). */
const struct lock_hash *lock_file_best_hash(const struct lock_file *f);
/* The package's first file: its first wheel, else its sdist, else its
 * archive; NULL for none (or p NULL). */
const struct lock_file *lock_package_first_file(const struct lock_package *p);
const char *lock_source_name(enum lock_source_kind kind);

#endif
