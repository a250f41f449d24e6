/* TOML 1.0.0 reader (https://toml.io/en/v1.0.0). One pass over the bytes,
 * recursive only for arrays and inline tables (bounded by TOML_MAX_DEPTH),
 * everything allocated from one arena. Scalars are in toml-scalar.c. */
#include "config.h"
#include "toml.h"
#include "toml-internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Table flags: what the spec allows to happen to a table later. */
enum {
	TF_EXPLICIT = 1,	/* defined by [header], or by dotted keys of an ended section */
	TF_PENDING = 2,		/* reached by dotted keys in the current section */
	TF_FROZEN = 4,		/* inline table or static array: closed for good */
	TF_AOT = 8,		/* array made by [[header]] */
	TF_STAGING = 16,	/* inline table being read: pairs on the parser's stack */
};

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct toml_doc {
	struct arena_chunk *chunks;
	size_t next_chunk;
	struct toml_value *root;
	char *text;		/* the source; strings point into it */
};

/* Large documents get 2 MiB chunks on transparent huge pages: a 7 MB lock
 * otherwise costs thousands of page faults, more than the parsing itself. */
#define ARENA_HUGE (2u << 20)

static struct arena_chunk *chunk_new(size_t n)
{
	struct arena_chunk *c;

	if (n >= ARENA_HUGE / 2)
		n = ((sizeof(*c) + n + ARENA_HUGE - 1) & ~(size_t)(ARENA_HUGE - 1)) - sizeof(*c);
	c = util_xmalloc_large(sizeof(*c) + n);
	c->size = n;
	return c;
}

static void *arena_alloc(struct toml_doc *doc, size_t size, size_t align)
{
	struct arena_chunk *c = doc->chunks;
	size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;

	if (!c || at > c->size || c->size - at < size) {
		size_t n = doc->next_chunk;

		if (n < size)
			n = size;
		c = chunk_new(n);
		c->next = doc->chunks;
		doc->chunks = c;
		at = 0;
		if (doc->next_chunk < ARENA_HUGE)
			doc->next_chunk *= 2;
	}
	c->used = at + size;
	return (char *)c->data + at;
}

void *toml_arena_alloc(struct toml_doc *doc, size_t size)
{
	return arena_alloc(doc, size, 8);
}

/* Strings need no alignment, and lockfiles hold many of them. */
void *toml_arena_alloc_bytes(struct toml_doc *doc, size_t size)
{
	return arena_alloc(doc, size, 1);
}

void *toml_doc_alloc(struct toml_doc *doc, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		abort();
	p = arena_alloc(doc, n * size, _Alignof(max_align_t));
	memset(p, 0, n * size);
	return p;
}

void toml_free(struct toml_doc *doc)
{
	if (!doc)
		return;
	for (struct arena_chunk *c = doc->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(doc->text);
	free(doc);
}

const struct toml_value *toml_root(const struct toml_doc *doc)
{
	return doc->root;
}

size_t toml_join_strings(const struct toml_value *array, struct util_buf *out)
{
	size_t n = 0;

	for (uint32_t i = 0; array && array->type == TOML_ARRAY && i < array->u.array.len; i++)
		if (array->u.array.items[i]->type == TOML_STRING)
			util_buf_printf(out, "%s%s", n++ ? ", " : "", array->u.array.items[i]->u.str.ptr);
	return n;
}

bool toml_string_has_nul(const struct toml_value *v)
{
	return v->type == TOML_STRING && (v->flags & TOML_FLAG_HAS_NUL);
}

const char *toml_type_name(enum toml_type type)
{
	static const char *const names[] = {
		[TOML_STRING] = "string", [TOML_INTEGER] = "integer",
		[TOML_FLOAT] = "float", [TOML_BOOL] = "boolean",
		[TOML_DATETIME] = "date-time", [TOML_DATETIME_LOCAL] = "local date-time",
		[TOML_DATE_LOCAL] = "local date", [TOML_TIME_LOCAL] = "local time",
		[TOML_ARRAY] = "array", [TOML_TABLE] = "table",
	};
	return names[type];
}

void toml_position(const struct toml_parser *ps, const char *at, uint32_t *line, uint32_t *col)
{
	const char *ls = ps->line_start;

	*line = ps->line;
	if (at < ps->line_start) {
		/* Rare: only for a position on an earlier line. */
		*line = 1;
		ls = ps->start;
	}
	/* Usually the current line; a check that runs ahead of the reader
	 * (the UTF-8 one) may point further. */
	for (const char *q = ls; q < at && (q = memchr(q, '\n', (size_t)(at - q))); q++) {
		(*line)++;
		ls = q + 1;
	}
	*col = (uint32_t)(at - ls) + 1;
}

int toml_fail(struct toml_parser *ps, const char *at, const char *fmt, ...)
{
	uint32_t line, col;
	va_list ap;

	toml_position(ps, at, &line, &col);
	pl_error_set(ps->err, ps->name, (int)line, (int)col, "%s", "");
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- tables ---- */

static uint32_t hash_key(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Small tables are searched in order; past this many keys a hash index
 * keeps hostile files with huge tables linear. */
#define INDEX_FROM 16

static void index_insert(struct toml_value *t, size_t i)
{
	const struct toml_pair *pr = &t->u.table.items[i];
	size_t mask = t->u.table.index_cap - 1;
	size_t slot = hash_key(pr->key, pr->key_len) & mask;

	while (t->u.table.index[slot])
		slot = (slot + 1) & mask;
	t->u.table.index[slot] = (uint32_t)i + 1;
}

static void index_rebuild(struct toml_parser *ps, struct toml_value *t)
{
	size_t cap = 64;

	while (cap < t->u.table.len * 2)
		cap *= 2;
	t->u.table.index = toml_arena_alloc(ps->doc, cap * sizeof(uint32_t));
	memset(t->u.table.index, 0, cap * sizeof(uint32_t));
	t->u.table.index_cap = cap;
	for (size_t i = 0; i < t->u.table.len; i++)
		index_insert(t, i);
}

static struct toml_pair *table_find(const struct toml_value *t, const char *key, size_t len)
{
	if (t->u.table.index) {
		size_t mask = t->u.table.index_cap - 1;
		size_t slot = hash_key(key, len) & mask;
		uint32_t i;

		while ((i = t->u.table.index[slot])) {
			struct toml_pair *pr = &t->u.table.items[i - 1];
			if (pr->key_len == len && (!len || pr->key[0] == key[0]) && !memcmp(pr->key, key, len))
				return pr;
			slot = (slot + 1) & mask;
		}
		return NULL;
	}
	for (size_t i = 0; i < t->u.table.len; i++) {
		struct toml_pair *pr = &t->u.table.items[i];
		if (pr->key_len == len && (!len || pr->key[0] == key[0]) && !memcmp(pr->key, key, len))
			return pr;
	}
	return NULL;
}

struct toml_value *toml_new_value(struct toml_parser *ps, enum toml_type type,
				  const char *at, int depth)
{
	struct toml_value *v = toml_arena_alloc(ps->doc, sizeof(*v));

	if (depth > TOML_MAX_DEPTH) {
		toml_fail(ps, at, "nested more than %d levels deep", TOML_MAX_DEPTH);
		return NULL;
	}
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->depth = (uint16_t)depth;
	toml_position(ps, at, &v->line, &v->col);
	return v;
}

/* An inline table collects its pairs on the parser's stack (its nested
 * inline tables have closed and popped theirs by the time it adds one), and
 * gets an array of exactly the right size when it closes: lockfiles hold
 * many small inline tables. While staging, cap holds the stack position. */
static void stage_add(struct toml_parser *ps, struct toml_value *t)
{
	if (ps->stack_len == ps->stack_cap) {
		ps->stack_cap = ps->stack_cap ? ps->stack_cap * 2 : 64;
		ps->stack = util_xrealloc(ps->stack, ps->stack_cap * sizeof(*ps->stack));
	}
	ps->stack_len++;
	t->u.table.items = ps->stack + t->u.table.cap;
}

static void table_add(struct toml_parser *ps, struct toml_value *t,
		      const struct toml_key *k, struct toml_value *v)
{
	if (t->flags & TF_STAGING)
		stage_add(ps, t);
	else if (t->u.table.len == t->u.table.cap) {
		/* Eight keys fit a file entry of a lockfile without growing. */
		size_t cap = t->u.table.cap ? t->u.table.cap * 2 : 8;
		struct toml_pair *items = toml_arena_alloc(ps->doc, cap * sizeof(*items));

		if (t->u.table.len)
			memcpy(items, t->u.table.items, t->u.table.len * sizeof(*items));
		t->u.table.items = items;
		t->u.table.cap = cap;
	}
	struct toml_pair *pr = &t->u.table.items[t->u.table.len++];
	pr->key = k->s;
	pr->key_len = k->len;
	pr->line = k->line;
	pr->col = k->col;
	pr->value = v;
	if (t->u.table.len > INDEX_FROM) {
		if (t->u.table.len * 2 > t->u.table.index_cap)
			index_rebuild(ps, t);
		else
			index_insert(t, t->u.table.len - 1);
	}
}

void toml_array_add(struct toml_parser *ps, struct toml_value *a, struct toml_value *v)
{
	if (a->u.array.len == a->u.array.cap) {
		size_t cap = a->u.array.cap ? a->u.array.cap * 2 : 4;
		struct toml_value **items = toml_arena_alloc(ps->doc, cap * sizeof(*items));

		if (a->u.array.len)
			memcpy(items, a->u.array.items, a->u.array.len * sizeof(*items));
		a->u.array.items = items;
		a->u.array.cap = cap;
	}
	a->u.array.items[a->u.array.len++] = v;
}

const struct toml_pair *toml_get_pair(const struct toml_value *t, const char *key)
{
	if (!t || t->type != TOML_TABLE)
		return NULL;
	return table_find(t, key, strlen(key));
}

const struct toml_value *toml_get(const struct toml_value *t, const char *key)
{
	const struct toml_pair *pr = toml_get_pair(t, key);

	return pr ? pr->value : NULL;
}

bool toml_value_equal(const struct toml_value *a, const struct toml_value *b)
{
	if (!a || !b)
		return a == b;
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case TOML_STRING:
		return a->u.str.len == b->u.str.len && !memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len);
	case TOML_INTEGER:
		return a->u.integer == b->u.integer;
	case TOML_FLOAT:
		return !memcmp(&a->u.real, &b->u.real, sizeof(a->u.real));
	case TOML_BOOL:
		return a->u.boolean == b->u.boolean;
	case TOML_ARRAY:
		if (a->u.array.len != b->u.array.len)
			return false;
		for (size_t i = 0; i < a->u.array.len; i++)
			if (!toml_value_equal(a->u.array.items[i], b->u.array.items[i]))
				return false;
		return true;
	case TOML_TABLE:
		if (a->u.table.len != b->u.table.len)
			return false;
		for (size_t i = 0; i < a->u.table.len; i++) {
			const struct toml_pair *pa = &a->u.table.items[i];
			const struct toml_pair *pb = table_find(b, pa->key, pa->key_len);
			if (!pb || !toml_value_equal(pa->value, pb->value))
				return false;
		}
		return true;
	default:	/* dates and times */
		return a->u.dt.year == b->u.dt.year && a->u.dt.month == b->u.dt.month &&
		       a->u.dt.day == b->u.dt.day && a->u.dt.hour == b->u.dt.hour &&
		       a->u.dt.minute == b->u.dt.minute && a->u.dt.second == b->u.dt.second &&
		       a->u.dt.nanosecond == b->u.dt.nanosecond && a->u.dt.frac_digits == b->u.dt.frac_digits &&
		       a->u.dt.offset_minutes == b->u.dt.offset_minutes;
	}
}

/* ---- layout: white space, comments, newlines ---- */

void toml_skip_ws(struct toml_parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

/* At '\n' or '\r': consumes one newline (LF or CRLF). */
int toml_newline(struct toml_parser *ps)
{
	if (*ps->p == '\r') {
		if (ps->p + 1 >= ps->end || ps->p[1] != '\n')
			return toml_fail(ps, ps->p, "carriage return not followed by a line feed");
		ps->p++;
	}
	ps->p++;
	ps->line++;
	ps->line_start = ps->p;
	return 0;
}

static int skip_comment(struct toml_parser *ps)
{
	ps->p++;
	while (ps->p < ps->end) {
		unsigned char c = (unsigned char)*ps->p;

		if (c == '\n')
			break;
		if (c == '\r') {
			if (ps->p + 1 < ps->end && ps->p[1] == '\n')
				break;
			return toml_fail(ps, ps->p, "carriage return in a comment");
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return toml_fail(ps, ps->p, "control character 0x%02x in a comment", c);
		ps->p++;
	}
	return 0;
}

/* Inside arrays: white space, newlines and comments, in any number. */
int toml_skip_ws_nl(struct toml_parser *ps)
{
	for (;;) {
		toml_skip_ws(ps);
		if (ps->p >= ps->end)
			return 0;
		if (*ps->p == '#') {
			if (skip_comment(ps) < 0)
				return -1;
		} else if (*ps->p == '\n' || *ps->p == '\r') {
			if (toml_newline(ps) < 0)
				return -1;
		} else
			return 0;
	}
}

/* Inside a multi-line string after a line-ending backslash: white space and
 * newlines only ('#' is text there). */
int toml_skip_ws_nl_only(struct toml_parser *ps)
{
	for (;;) {
		toml_skip_ws(ps);
		if (ps->p >= ps->end || (*ps->p != '\n' && *ps->p != '\r'))
			return 0;
		if (toml_newline(ps) < 0)
			return -1;
	}
}

/* After a statement: optional comment, then a newline or the end. */
static int end_of_line(struct toml_parser *ps, const char *what)
{
	toml_skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '#' && skip_comment(ps) < 0)
		return -1;
	if (ps->p >= ps->end)
		return 0;
	if (*ps->p == '\n' || *ps->p == '\r')
		return toml_newline(ps);
	return toml_fail(ps, ps->p, "expected a new line after %s", what);
}

/* ---- keys ---- */

static bool is_bare(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int parse_key(struct toml_parser *ps, struct toml_keypath *kp)
{
	kp->n = 0;
	for (;;) {
		struct toml_key *k;

		if (kp->n == TOML_MAX_DEPTH)
			return toml_fail(ps, ps->p, "key has more than %d parts", TOML_MAX_DEPTH);
		k = &kp->parts[kp->n++];
		toml_position(ps, ps->p, &k->line, &k->col);
		if (ps->p >= ps->end)
			return toml_fail(ps, ps->p, "expected a key");
		if (*ps->p == '"' || *ps->p == '\'') {
			const char *at = ps->p;
			if (ps->p + 2 < ps->end && ps->p[1] == *at && ps->p[2] == *at)
				return toml_fail(ps, at, "a multi-line string cannot be a key");
			bool escaped;
			if (toml_parse_string(ps, &k->s, &k->len, &escaped) < 0)
				return -1;
		} else {
			const char *s = ps->p;
			while (ps->p < ps->end && is_bare(*ps->p))
				ps->p++;
			if (ps->p == s)
				return toml_fail(ps, s, "expected a key");
			k->len = (size_t)(ps->p - s);
			if (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t')) {
				/* The usual "key = value": the blank ends the key. */
				k->s = s;
				toml_end_in_place(ps, ps->p++);
			} else
				k->s = toml_arena_strndup(ps->doc, s, k->len);
		}
		toml_skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '.')
			return 0;
		ps->p++;
		toml_skip_ws(ps);
	}
}

static void mark_pending(struct toml_parser *ps, struct toml_value *t)
{
	if (t->flags & TF_PENDING)
		return;
	t->flags |= TF_PENDING;
	if (ps->npending == ps->pending_cap) {
		ps->pending_cap = ps->pending_cap ? ps->pending_cap * 2 : 16;
		ps->pending = util_xrealloc(ps->pending, ps->pending_cap * sizeof(*ps->pending));
	}
	ps->pending[ps->npending++] = t;
}

/* A section ended: tables its dotted keys reached are now defined, so a
 * later [header] or dotted key cannot add to them (TOML 1.0, "Table"). */
static void end_section(struct toml_parser *ps)
{
	for (size_t i = 0; i < ps->npending; i++) {
		ps->pending[i]->flags &= (uint8_t)~TF_PENDING;
		ps->pending[i]->flags |= TF_EXPLICIT;
	}
	ps->npending = 0;
}

static int key_fail(struct toml_parser *ps, const struct toml_key *k, const char *fmt)
{
	return pl_error_set(ps->err, ps->name, (int)k->line, (int)k->col, fmt, k->s);
}

/* One step of a dotted key in a key/value pair: into an existing table that
 * may still grow, or a new one. */
static struct toml_value *descend_dotted(struct toml_parser *ps, struct toml_value *t,
					 const struct toml_key *k, bool in_inline)
{
	struct toml_pair *pr = table_find(t, k->s, k->len);
	struct toml_value *v;

	if (!pr) {
		v = toml_new_value(ps, TOML_TABLE, ps->p, t->depth + 1);
		if (!v)
			return NULL;
		v->line = k->line;
		v->col = k->col;
		table_add(ps, t, k, v);
	} else {
		v = pr->value;
		if (v->type != TOML_TABLE) {
			key_fail(ps, k, "key '%s' is already defined as a value, not a table");
			return NULL;
		}
		if (v->flags & TF_FROZEN) {
			key_fail(ps, k, "cannot add keys to inline table '%s'");
			return NULL;
		}
		if (!in_inline && (v->flags & TF_EXPLICIT)) {
			key_fail(ps, k, "table '%s' is already defined; dotted keys cannot add to it");
			return NULL;
		}
	}
	if (!in_inline)
		mark_pending(ps, v);
	return v;
}

int toml_parse_keyval(struct toml_parser *ps, struct toml_value *t, bool in_inline, int nesting)
{
	struct toml_keypath kp;
	struct toml_value *v;

	if (parse_key(ps, &kp) < 0)
		return -1;
	if (ps->p >= ps->end || *ps->p != '=')
		return toml_fail(ps, ps->p, "expected '=' after the key");
	ps->p++;
	toml_skip_ws(ps);
	for (size_t i = 0; i + 1 < kp.n; i++)
		if (!(t = descend_dotted(ps, t, &kp.parts[i], in_inline)))
			return -1;
	const struct toml_key *last = &kp.parts[kp.n - 1];
	if (table_find(t, last->s, last->len))
		return key_fail(ps, last, "key '%s' is defined twice");
	if (!(v = toml_parse_value(ps, t->depth + 1, nesting)))
		return -1;
	table_add(ps, t, last, v);
	return 0;
}

/* ---- [table] and [[array of tables]] headers ---- */

static int parse_header(struct toml_parser *ps)
{
	struct toml_keypath kp;
	const char *at = ps->p;
	bool aot = ps->p + 1 < ps->end && ps->p[1] == '[';
	struct toml_value *t = ps->doc->root, *v;

	ps->p += aot ? 2 : 1;
	toml_skip_ws(ps);
	if (parse_key(ps, &kp) < 0)
		return -1;
	if (ps->p >= ps->end || *ps->p != ']' ||
	    (aot && (ps->p + 1 >= ps->end || ps->p[1] != ']')))
		return toml_fail(ps, ps->p, aot ? "expected ']]' to end the header" :
				 "expected ']' to end the header");
	ps->p += aot ? 2 : 1;
	end_section(ps);

	for (size_t i = 0; i + 1 < kp.n; i++) {
		const struct toml_key *k = &kp.parts[i];
		struct toml_pair *pr = table_find(t, k->s, k->len);

		if (!pr) {
			if (!(v = toml_new_value(ps, TOML_TABLE, at, t->depth + 1)))
				return -1;
			v->line = k->line;
			v->col = k->col;
			table_add(ps, t, k, v);
			t = v;
			continue;
		}
		v = pr->value;
		if (v->type == TOML_TABLE && !(v->flags & TF_FROZEN))
			t = v;
		else if (v->type == TOML_ARRAY && (v->flags & TF_AOT))
			t = v->u.array.items[v->u.array.len - 1];
		else if (v->type == TOML_TABLE)
			return key_fail(ps, k, "cannot add to inline table '%s'");
		else if (v->type == TOML_ARRAY)
			return key_fail(ps, k, "cannot add to array '%s', which is not an array of tables");
		else
			return key_fail(ps, k, "key '%s' is a value, not a table");
	}

	const struct toml_key *last = &kp.parts[kp.n - 1];
	struct toml_pair *pr = table_find(t, last->s, last->len);
	if (aot) {
		struct toml_value *arr;

		if (!pr) {
			if (!(arr = toml_new_value(ps, TOML_ARRAY, at, t->depth + 1)))
				return -1;
			arr->flags = TF_AOT;
			arr->line = last->line;
			arr->col = last->col;
			table_add(ps, t, last, arr);
		} else if (pr->value->type == TOML_ARRAY && (pr->value->flags & TF_AOT))
			arr = pr->value;
		else
			return key_fail(ps, last, "'%s' is already defined, not as an array of tables");
		if (!(v = toml_new_value(ps, TOML_TABLE, at, arr->depth + 1)))
			return -1;
		v->flags = TF_EXPLICIT;
		toml_array_add(ps, arr, v);
	} else if (!pr) {
		if (!(v = toml_new_value(ps, TOML_TABLE, at, t->depth + 1)))
			return -1;
		v->flags = TF_EXPLICIT;
		table_add(ps, t, last, v);
	} else {
		v = pr->value;
		if (v->type != TOML_TABLE || (v->flags & (TF_EXPLICIT | TF_FROZEN)))
			return key_fail(ps, last, "table '%s' is defined twice");
		v->flags |= TF_EXPLICIT;
		v->line = last->line;
		v->col = last->col;
	}
	ps->current = v;
	return end_of_line(ps, "the table header");
}

/* ---- the document ---- */

/* The whole input must be UTF-8 (TOML 1.0, "Spec"); checked once up front so
 * the rest of the reader deals in bytes. */
static int check_utf8(struct toml_parser *ps)
{
	const unsigned char *s = (const unsigned char *)ps->start;
	const unsigned char *e = (const unsigned char *)ps->end;

	while (s < e) {
		/* Eight ASCII bytes at a time: most of a lockfile. */
		while (e - s >= 8) {
			uint64_t w;
			memcpy(&w, s, 8);
			if (w & 0x8080808080808080ull)
				break;
			s += 8;
		}
		if (s >= e)
			break;
		if (*s < 0x80) {
			s++;
			continue;
		}
		size_t n;
		uint32_t cp, min;
		if ((*s & 0xe0) == 0xc0) {
			n = 2; cp = *s & 0x1f; min = 0x80;
		} else if ((*s & 0xf0) == 0xe0) {
			n = 3; cp = *s & 0x0f; min = 0x800;
		} else if ((*s & 0xf8) == 0xf0) {
			n = 4; cp = *s & 0x07; min = 0x10000;
		} else
			goto bad;
		if ((size_t)(e - s) < n)
			goto bad;
		for (size_t i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		s += n;
	}
	return 0;
bad:
	return toml_fail(ps, (const char *)s, "invalid UTF-8");
}

static int parse_document(struct toml_parser *ps)
{
	if (check_utf8(ps) < 0)
		return -1;
	/* A byte order mark is allowed at the very start only. */
	if (ps->end - ps->p >= 3 && !memcmp(ps->p, "\xef\xbb\xbf", 3))
		ps->p += 3;
	while (ps->p < ps->end) {
		toml_skip_ws(ps);
		if (ps->p >= ps->end)
			break;
		switch (*ps->p) {
		case '#':
			if (skip_comment(ps) < 0)
				return -1;
			break;
		case '\n':
		case '\r':
			if (toml_newline(ps) < 0)
				return -1;
			break;
		case '[':
			if (parse_header(ps) < 0)
				return -1;
			break;
		default:
			if (toml_parse_keyval(ps, ps->current, false, 0) < 0 ||
			    end_of_line(ps, "the value"))
				return -1;
		}
	}
	return 0;
}

struct toml_doc *toml_parse(const char *data, size_t len, const char *name,
			    struct pl_error *err)
{
	char *copy = util_xmalloc_large(len + 1);
	struct toml_doc *doc;

	memcpy(copy, data, len);
	if (!(doc = toml_parse_buffer(copy, len, name, err)))
		free(copy);
	return doc;
}

struct toml_doc *toml_parse_buffer(char *data, size_t len, const char *name,
				   struct pl_error *err)
{
	struct toml_doc *doc = util_xcalloc(1, sizeof(*doc));
	struct toml_parser ps = {
		.p = data, .start = data, .end = data + len, .line_start = data,
		.line = 1, .name = name, .err = err, .doc = doc, .text = data,
	};
	int rc;

	doc->next_chunk = 64 * 1024;
	doc->root = toml_new_value(&ps, TOML_TABLE, data, 0);
	doc->root->flags = TF_EXPLICIT;
	ps.current = doc->root;
	rc = parse_document(&ps);
	free(ps.pending);
	free(ps.stack);
	util_buf_free(&ps.scratch);
	if (rc < 0) {
		toml_free(doc);
		return NULL;
	}
	doc->text = data;
	return doc;
}

/* Arrays and inline tables, the two recursive values. */
struct toml_value *toml_parse_array(struct toml_parser *ps, int depth, int nesting)
{
	struct toml_value *a = toml_new_value(ps, TOML_ARRAY, ps->p, depth);

	if (!a)
		return NULL;
	a->flags = TF_FROZEN;
	ps->p++;
	for (;;) {
		if (toml_skip_ws_nl(ps) < 0)
			return NULL;
		if (ps->p < ps->end && *ps->p == ']')
			break;
		struct toml_value *v = toml_parse_value(ps, depth + 1, nesting + 1);
		if (!v)
			return NULL;
		toml_array_add(ps, a, v);
		if (toml_skip_ws_nl(ps) < 0)
			return NULL;
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']')
			break;
		toml_fail(ps, ps->p, "expected ',' or ']' in the array");
		return NULL;
	}
	ps->p++;
	return a;
}

struct toml_value *toml_parse_inline_table(struct toml_parser *ps, int depth, int nesting)
{
	struct toml_value *t = toml_new_value(ps, TOML_TABLE, ps->p, depth);

	if (!t)
		return NULL;
	ps->p++;
	toml_skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		t->flags = TF_FROZEN;
		return t;
	}
	t->flags = TF_STAGING;
	t->u.table.cap = (uint32_t)ps->stack_len;
	for (;;) {
		if (toml_parse_keyval(ps, t, true, nesting + 1) < 0)
			return NULL;
		toml_skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			toml_skip_ws(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}')
			break;
		toml_fail(ps, ps->p, "expected ',' or '}' in the inline table (it must fit on one line)");
		return NULL;
	}
	ps->p++;
	struct toml_pair *items = toml_arena_alloc(ps->doc, t->u.table.len * sizeof(*items));
	memcpy(items, ps->stack + t->u.table.cap, t->u.table.len * sizeof(*items));
	ps->stack_len = t->u.table.cap;
	t->u.table.items = items;
	t->u.table.cap = t->u.table.len;
	t->flags = TF_FROZEN;
	return t;
}
