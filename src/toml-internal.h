/* Shared between the files of the toml module (toml.c: structure,
 * toml-scalar.c: values, toml-write.c: writer); not for other modules. */
#ifndef PYLOCK_TOML_INTERNAL_H
#define PYLOCK_TOML_INTERNAL_H

#include "toml.h"

struct toml_key {
	const char *s;
	size_t len;
	uint32_t line, col;
};

struct toml_keypath {
	struct toml_key parts[TOML_MAX_DEPTH];
	size_t n;
};

struct toml_parser {
	const char *p, *start, *end;
	char *text;			/* start, writable: strings end in place */
	const char *line_start;
	uint32_t line;
	const char *name;
	struct pl_error *err;
	struct toml_doc *doc;
	struct toml_value *current;	/* the table key/value pairs go to */
	struct toml_value **pending;	/* tables dotted keys reached in this section */
	size_t npending, pending_cap;
	struct util_buf scratch;
	struct toml_pair *stack;	/* pairs of the inline tables being read */
	size_t stack_len, stack_cap;
};

void *toml_arena_alloc(struct toml_doc *doc, size_t size);		/* 8-byte aligned */
void *toml_arena_alloc_bytes(struct toml_doc *doc, size_t size);
char *toml_arena_strndup(struct toml_doc *doc, const char *s, size_t len);
/* Ends a string of the source in place: at is a byte already read. */
static inline void toml_end_in_place(struct toml_parser *ps, const char *at)
{
	ps->text[at - ps->start] = '\0';
}
void toml_position(const struct toml_parser *ps, const char *at, uint32_t *line, uint32_t *col);
int toml_fail(struct toml_parser *ps, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct toml_value *toml_new_value(struct toml_parser *ps, enum toml_type type,
				  const char *at, int depth);
void toml_array_add(struct toml_parser *ps, struct toml_value *a, struct toml_value *v);

void toml_skip_ws(struct toml_parser *ps);
int toml_skip_ws_nl(struct toml_parser *ps);
int toml_newline(struct toml_parser *ps);
int toml_skip_ws_nl_only(struct toml_parser *ps);

int toml_parse_keyval(struct toml_parser *ps, struct toml_value *t, bool in_inline, int nesting);
struct toml_value *toml_parse_value(struct toml_parser *ps, int depth, int nesting);
struct toml_value *toml_parse_array(struct toml_parser *ps, int depth, int nesting);
struct toml_value *toml_parse_inline_table(struct toml_parser *ps, int depth, int nesting);
/* A basic or literal string at ps->p (single- or multi-line). *escaped
 * tells whether it held escapes (only then can it hold a NUL). */
int toml_parse_string(struct toml_parser *ps, const char **s, size_t *len, bool *escaped);

/* Value flags: tables use the low bits (toml.c), strings this one. */
#define TOML_FLAG_HAS_NUL 0x80

#endif
