/* toml: a TOML 1.0.0 reader into a tree that keeps the line:column of every
 * key and value, and a small writer for pylock's own output.
 *
 * The tree is read-only for callers and lives in one arena owned by the
 * document: toml_free() releases everything at once. */
#ifndef PYLOCK_TOML_H
#define PYLOCK_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Bounds on hostile input: nesting of tables and arrays, and key length. */
#define TOML_MAX_DEPTH 128

enum toml_type {
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,		/* offset date-time */
	TOML_DATETIME_LOCAL,
	TOML_DATE_LOCAL,
	TOML_TIME_LOCAL,
	TOML_ARRAY,
	TOML_TABLE,
};

struct toml_datetime {
	int16_t year;			/* 0 for a local time */
	int8_t month, day;
	int8_t hour, minute, second;	/* 0 for a local date */
	int8_t frac_digits;		/* digits written after the point, up to 9 */
	int32_t nanosecond;
	int16_t offset_minutes;		/* for TOML_DATETIME; 0 with Z */
};

struct toml_pair;

/* Kept small (40 bytes): a 7 MB lockfile holds a quarter million values. */
struct toml_value {
	uint32_t line, col;	/* where the value starts, 1-based */
	uint8_t type;		/* enum toml_type */
	uint8_t flags;		/* parser bookkeeping */
	uint16_t depth;
	union {
		struct {
			const char *ptr;	/* NUL-terminated; may hold NULs (len counts) */
			size_t len;
		} str;
		int64_t integer;
		double real;
		bool boolean;
		struct toml_datetime dt;
		struct {
			struct toml_value **items;
			uint32_t len, cap;
		} array;
		struct {
			struct toml_pair *items;	/* in document order */
			uint32_t len, cap;
			uint32_t *index;		/* hash of keys, for large tables */
			uint32_t index_cap;
		} table;
	} u;
};

struct toml_pair {
	const char *key;	/* NUL-terminated */
	size_t key_len;
	uint32_t line, col;	/* where the key is written */
	struct toml_value *value;
};

struct toml_doc;

/* Parses data (not necessarily NUL-terminated). name is used in errors.
 * Returns NULL and fills err (with line and column) when data is not TOML. */
struct toml_doc *toml_parse(const char *data, size_t len, const char *name,
			    struct pl_error *err);
/* The same without a copy: strings are ended in place (a closing quote or
 * the blank after a key becomes NUL), so a large lock costs no second copy
 * of its text. On success the document owns data (toml_free frees it); on
 * failure data stays the caller's, bytes already read possibly NUL, never
 * the first byte of a line. */
struct toml_doc *toml_parse_buffer(char *data, size_t len, const char *name,
				   struct pl_error *err);
void toml_free(struct toml_doc *doc);
/* n zeroed objects of size bytes that live as long as doc: readers of a
 * document keep what they derive from it there, freed in one go. */
void *toml_doc_alloc(struct toml_doc *doc, size_t n, size_t size);
const struct toml_value *toml_root(const struct toml_doc *doc);

/* Lookups: NULL when t is not a table or has no such key. */
const struct toml_value *toml_get(const struct toml_value *t, const char *key);
const struct toml_pair *toml_get_pair(const struct toml_value *t, const char *key);

const char *toml_type_name(enum toml_type type);
/* Whether two values mean the same: same type and contents, tables
 * compared by key whatever their order. NULL equals only NULL. */
bool toml_value_equal(const struct toml_value *a, const struct toml_value *b);
/* Appends the strings of an array (other items skipped) joined by ", ";
 * returns how many. */
size_t toml_join_strings(const struct toml_value *array, struct util_buf *out);
/* Whether a string value holds a NUL (written as \u0000), which C string
 * users must refuse. */
bool toml_string_has_nul(const struct toml_value *v);

/* The writer: TOML text for pylock's output. */
/* A string as a TOML basic string, escaped as the spec requires. */
void toml_write_string(struct util_buf *b, const char *s, size_t len);
void toml_write_integer(struct util_buf *b, int64_t n);
/* A key: bare when it can be, else quoted. */
void toml_write_key(struct util_buf *b, const char *key, size_t len);
/* Any value on one line (tables as inline tables), for keeping what pylock
 * does not interpret. */
void toml_write_value(struct util_buf *b, const struct toml_value *v);
/* A date-time, date or time in RFC 3339 form. */
void toml_write_datetime(struct util_buf *b, enum toml_type type,
			 const struct toml_datetime *dt);

#endif
