/* Writing a lock over an older one in that file's own layout: what did not
 * change is copied byte for byte (comments, order, styles of other
 * tools), a changed package is written where it stood, a removed one leaves
 * with its lines, an added one goes where the file's order puts it. */
#include "config.h"
#include "lock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum seg_kind { SEG_KEY, SEG_PACKAGE, SEG_TABLE };

struct seg {
	enum seg_kind kind;
	size_t start, end;	/* bytes; a key's ends after its value's line */
	char key[64];		/* SEG_KEY: the key; SEG_TABLE: the header's name */
};

struct segs {
	struct seg *s;
	size_t n;
};

static void push(struct segs *v, enum seg_kind kind, size_t start, size_t end, const char *key, size_t keylen)
{
	v->s = util_xrealloc(v->s, (v->n + 1) * sizeof(*v->s));
	v->s[v->n] = (struct seg){ kind, start, end, "" };
	if (key)
		snprintf(v->s[v->n].key, sizeof(v->s[v->n].key), "%.*s", (int)keylen, key);
	v->n++;
}

/* Past the blanks at i (the text is not NUL-terminated). */
static size_t skip_blanks(const char *t, size_t len, size_t i)
{
	while (i < len && (t[i] == ' ' || t[i] == '\t'))
		i++;
	return i;
}

/* The end of the line holding i, after its newline. */
static size_t line_end(const char *t, size_t len, size_t i)
{
	while (i < len && t[i] != '\n')
		i++;
	return i < len ? i + 1 : len;
}

/* Past a string starting at i (its quote), or len. */
static size_t past_string(const char *t, size_t len, size_t i)
{
	char q = t[i];
	bool multi = i + 2 < len && t[i + 1] == q && t[i + 2] == q;

	for (i += multi ? 3 : 1; i < len; i++) {
		if (q == '"' && t[i] == '\\') {
			i++;
			continue;
		}
		if (t[i] == q && (!multi || (i + 2 < len && t[i + 1] == q && t[i + 2] == q))) {
			i += multi ? 3 : 1;
			while (multi && i < len && t[i] == q)
				i++;
			return i;
		}
	}
	return len;
}

/* Past the value that starts at i, to the end of the line where brackets
 * close. */
static size_t past_value(const char *t, size_t len, size_t i)
{
	int depth = 0;

	for (; i < len; i++) {
		char c = t[i];
		if (c == '"' || c == '\'') {
			i = past_string(t, len, i) - 1;
		} else if (c == '#') {
			while (i < len && t[i] != '\n')
				i++;
			i--;
		} else if (c == '[' || c == '{') {
			depth++;
		} else if (c == ']' || c == '}') {
			depth--;
		} else if (c == '\n' && depth <= 0) {
			return i + 1;
		}
	}
	return len;
}

/* Top-level keys, package entries (with their sub-tables) and other tables,
 * in file order; what lies between keys (comments, blank lines) is no
 * segment and is always kept. */
static void segment(const char *t, size_t len, struct segs *v)
{
	/* A byte order mark is no part of the first key. */
	size_t i = len >= 3 && !memcmp(t, "\xef\xbb\xbf", 3) ? 3 : 0;
	bool in_package = false;

	while (i < len) {
		size_t ls = i, p = skip_blanks(t, len, i);
		if (p >= len || t[p] == '\n' || t[p] == '\r' || t[p] == '#') {
			i = line_end(t, len, p);
			continue;
		}
		if (t[p] == '[') {
			bool aot = p + 1 < len && t[p + 1] == '[';
			size_t n = p + (aot ? 2 : 1);
			n = skip_blanks(t, len, n);
			size_t ne = n;
			while (ne < len && t[ne] != ']' && t[ne] != '\n')
				ne++;
			while (ne > n && (t[ne - 1] == ' ' || t[ne - 1] == '\t'))
				ne--;
			bool package = aot && ne - n == 8 && !strncmp(t + n, "packages", 8);
			bool sub = ne - n > 9 && !strncmp(t + n, "packages.", 9);
			if (!(sub && in_package)) {
				in_package = package;
				push(v, package ? SEG_PACKAGE : SEG_TABLE, ls, ls, t + n, ne - n);
			}
			i = line_end(t, len, p);
			v->s[v->n - 1].end = i;
			continue;
		}
		/* key = value */
		size_t k = p;
		while (k < len && t[k] != '=' && t[k] != '\n')
			k++;
		size_t ke = k;
		while (ke > p && (t[ke - 1] == ' ' || t[ke - 1] == '\t'))
			ke--;
		size_t end = k < len && t[k] == '=' ? past_value(t, len, k + 1) : line_end(t, len, k);
		if (v->n && v->s[v->n - 1].kind != SEG_KEY)
			v->s[v->n - 1].end = end;	/* inside a table: part of it */
		else
			push(v, SEG_KEY, ls, end, t + p, ke - p);
		i = end;
	}
	/* A table takes the blank lines and comments up to the next one. */
	for (size_t s = 0; s + 1 < v->n; s++)
		if (v->s[s].kind != SEG_KEY)
			v->s[s].end = v->s[s + 1].start;
	if (v->n && v->s[v->n - 1].kind != SEG_KEY)
		v->s[v->n - 1].end = len;
}

static const struct toml_value *top(const struct lock *l, const char *key)
{
	return toml_get(toml_root(l->doc), key);
}

static bool is_spec_key(const char *key)
{
	for (size_t i = 0; lock_top_keys[i]; i++)
		if (!strcmp(lock_top_keys[i], key))
			return true;
	return false;
}

/* The end of a segment's own content: before the blank lines and comment
 * lines that close it (a comment above the next entry is that entry's). */
static size_t content_end(const char *t, const struct seg *s)
{
	size_t end = s->start, i = s->start;

	while (i < s->end) {
		size_t p = skip_blanks(t, s->end, i), le = line_end(t, s->end, i);
		if (p < le && t[p] != '\n' && t[p] != '\r' && t[p] != '#')
			end = le;
		i = le;
	}
	return end;
}

/* Text that must end with a newline when more follows it. */
static void put_line_text(struct util_buf *out, const char *text, size_t len)
{
	util_buf_add(out, text, len);
	if (len && text[len - 1] != '\n')
		util_buf_putc(out, '\n');
}

/* A package's text without the blank line that starts it: its own bytes,
 * else written fresh as the file's entries are (st), or in pylock's style
 * when the file has none to follow. */
static void put_package_text(const struct lock_package *p, const struct lock_style *st, struct util_buf *out)
{
	struct util_buf b = UTIL_BUF_INIT;

	if (p->src) {
		put_line_text(out, p->src, p->src_len);
		return;
	}
	if (st->known) {
		lock_write_package_styled(p, st, out);
		return;
	}
	lock_write_package(p, &b);
	util_buf_add(out, b.data + 1, b.len - 1);
	util_buf_free(&b);
}

/* A package written where an old one stood, what closed the old one kept. */
static void put_package_in(const char *t, const struct seg *s, const struct lock_package *p,
			   const struct lock_style *st, struct util_buf *out)
{
	size_t trail = content_end(t, s);

	put_package_text(p, st, out);
	util_buf_add(out, t + trail, s->end - trail);
}

/* The tool a [tool.NAME...] header belongs to (a bare name only: quoted
 * or dotted-inside names are kept as written). */
static bool tool_name(const char *header, char *out, size_t size)
{
	size_t n;

	if (strncmp(header, "tool.", 5))
		return false;
	header += 5;
	n = strcspn(header, ".");
	if (!n || n >= size || strchr(header, '"') || strchr(header, '\''))
		return false;
	memcpy(out, header, n);
	out[n] = 0;
	return true;
}

static bool sorted(const struct lock *l)
{
	for (size_t i = 1; i < l->npackages; i++)
		if (lock_package_order(&l->packages[i - 1], &l->packages[i]) > 0)
			return false;
	return true;
}

/* Package indices sorted by name, then by position: each name's entries
 * together, in file order (the sort key is cheap; no PEP 440 parsing). */
static __thread const struct lock *sort_lock;

static int by_name(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int r = strcmp(sort_lock->packages[a].norm_name, sort_lock->packages[b].norm_name);

	return r ? r : a < b ? -1 : a > b;
}

static size_t *name_order(const struct lock *l)
{
	size_t *idx = util_xmalloc((l->npackages + 1) * sizeof(*idx));

	for (size_t i = 0; i < l->npackages; i++)
		idx[i] = i;
	sort_lock = l;
	if (l->npackages > 1)
		qsort(idx, l->npackages, sizeof(*idx), by_name);
	return idx;
}

/* One name's entries on each side matched: by marker when old has several,
 * else the first; one entry on each side matches whatever its marker. */
static void match_name(const struct lock *old, const size_t *o, size_t no, const struct lock *next, const size_t *n,
		       size_t nn, long *m, bool *added)
{
	for (size_t i = 0; i < no; i++) {
		const struct lock_package *op = &old->packages[o[i]];
		for (size_t j = 0; j < nn && m[o[i]] < 0; j++)
			if (added[n[j]] && (no == 1 || util_str_equal(next->packages[n[j]].marker, op->marker)))
				m[o[i]] = (long)n[j];
		if (m[o[i]] < 0 && no == 1 && nn == 1 && added[n[0]])
			m[o[i]] = (long)n[0];
		if (m[o[i]] >= 0)
			added[m[o[i]]] = false;
	}
}

/* Which of next's packages each of old's is (by name, and marker when a
 * name has several entries), or -1; and which of next's are new. */
static long *match(const struct lock *old, const struct lock *next, bool **added)
{
	long *m = util_xmalloc((old->npackages + 1) * sizeof(long));
	size_t *o = name_order(old), *n = name_order(next);
	size_t i = 0, j = 0;

	*added = util_xcalloc(next->npackages + 1, sizeof(bool));
	for (size_t k = 0; k < next->npackages; k++)
		(*added)[k] = true;
	for (size_t k = 0; k < old->npackages; k++)
		m[k] = -1;
	while (i < old->npackages && j < next->npackages) {
		int r = strcmp(old->packages[o[i]].norm_name, next->packages[n[j]].norm_name);
		if (r < 0) {
			i++;
			continue;
		}
		if (r > 0) {
			j++;
			continue;
		}
		size_t ie = i, je = j;
		while (ie < old->npackages && !strcmp(old->packages[o[ie]].norm_name, old->packages[o[i]].norm_name))
			ie++;
		while (je < next->npackages && !strcmp(next->packages[n[je]].norm_name, next->packages[n[j]].norm_name))
			je++;
		match_name(old, o + i, ie - i, next, n + j, je - j, m, *added);
		i = ie;
		j = je;
	}
	free(o);
	free(n);
	return m;
}

static int by_order(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int r = lock_package_order(&sort_lock->packages[a], &sort_lock->packages[b]);

	return r ? r : a < b ? -1 : a > b;
}

static const struct lock_override *override_of(const struct lock_override *ov, size_t nov, const char *name,
					       bool tool)
{
	for (size_t i = 0; i < nov; i++)
		if (ov[i].tool == tool && !strcmp(ov[i].name, name))
			return &ov[i];
	return NULL;
}

/* A package that is next's, matched to the old one o: kept when it is o
 * (or says what o says and brings no text of its own). */
static bool package_kept(const struct lock_package *o, const struct lock_package *n)
{
	return n->src ? n->src == o->src : lock_package_equal(o, n);
}

void lock_write_update(const char *t, size_t len, const struct lock *old, const struct lock *next,
		       const struct lock_override *ov, size_t nov, struct util_buf *out)
{
	struct segs v = { 0 };
	bool *added, in_order = sorted(old);
	long *m = match(old, next, &added);
	size_t pkg = 0, at = 0, last_key_end = 0, first_table = len;
	bool seen[64] = { false };
	bool *ov_done = util_xcalloc(nov + 1, sizeof(bool));
	size_t *adds = util_xmalloc((next->npackages + 1) * sizeof(*adds)), nadd = 0, next_add = 0;

	segment(t, len, &v);
	size_t npkg = 0;
	for (size_t s = 0; s < v.n; s++)
		npkg += v.s[s].kind == SEG_PACKAGE;
	/* Entries the scan does not see as the reader did (packages written
	 * as an inline array, say): the whole file in pylock's layout. */
	if (npkg != old->npackages) {
		lock_write(next, out);
		goto out;
	}
	util_buf_reserve(out, len + len / 8);	/* about the old file's size: no regrowth */
	/* The style of the file's first entries, for packages written fresh. */
	struct lock_style style = { .known = false };
	for (size_t s = 0, read = 0; s < v.n && read < 8; s++)
		if (v.s[s].kind == SEG_PACKAGE) {
			lock_style_read(&style, t + v.s[s].start, content_end(t, &v.s[s]) - v.s[s].start);
			read++;
		}
	/* The added packages in the file's order, placed as the scan passes. */
	for (size_t j = 0; j < next->npackages; j++)
		if (added[j])
			adds[nadd++] = j;
	sort_lock = next;
	if (in_order && nadd > 1)
		qsort(adds, nadd, sizeof(*adds), by_order);
	/* [tool.NAME] tables: kept when next has the same, else written
	 * again where the first of them stood (or left out). */
	char written_tools[32][64];
	size_t nwritten = 0;
	for (size_t s = 0; s < v.n; s++)
		if (v.s[s].kind != SEG_KEY) {
			first_table = v.s[s].start;
			break;
		}
	for (size_t s = 0; s < v.n; s++) {
		const struct seg *g = &v.s[s];
		util_buf_add(out, t + at, g->start - at);	/* what lies between */
		at = g->end;
		if (g->kind == SEG_KEY) {
			const struct toml_value *a = top(old, g->key), *b = top(next, g->key);
			const struct lock_override *o = override_of(ov, nov, g->key, false);
			for (size_t k = 0; lock_top_keys[k]; k++)
				if (!strcmp(lock_top_keys[k], g->key))
					seen[k] = true;
			if (o) {
				put_line_text(out, o->text, o->len);
				ov_done[o - ov] = true;
			} else if (!is_spec_key(g->key) || (a && b && toml_value_equal(a, b)))
				util_buf_add(out, t + g->start, g->end - g->start);
			else if (b)
				lock_write_top(next, g->key, out);
			if (g->start < first_table)
				last_key_end = out->len;
			continue;
		}
		if (g->kind == SEG_TABLE) {
			char name[64];
			const struct lock_override *o = NULL;
			if (!tool_name(g->key, name, sizeof(name)) ||
			    (!(o = override_of(ov, nov, name, true)) &&
			     toml_value_equal(toml_get(old->tool, name), toml_get(next->tool, name)))) {
				util_buf_add(out, t + g->start, g->end - g->start);
				continue;
			}
			bool done = false;
			for (size_t k = 0; k < nwritten && !done; k++)
				done = !strcmp(written_tools[k], name);
			if (!done && nwritten < sizeof(written_tools) / sizeof(*written_tools)) {
				snprintf(written_tools[nwritten++], sizeof(*written_tools), "%s", name);
				if (o) {
					size_t trail = content_end(t, g);
					put_line_text(out, o->text, o->len);
					if (o->len)
						util_buf_add(out, t + trail, g->end - trail);
					ov_done[o - ov] = true;
					continue;
				}
				struct util_buf b = UTIL_BUF_INIT;
				lock_write_tool_of(next, name, &b);
				if (b.len)
					util_buf_add(out, b.data + 1, b.len - 1);
				util_buf_free(&b);
			}
			continue;
		}
		/* A package: the new ones that sort before it first. */
		const struct lock_package *o = &old->packages[pkg];
		while (in_order && next_add < nadd && lock_package_order(&next->packages[adds[next_add]], o) < 0) {
			put_package_text(&next->packages[adds[next_add]], &style, out);
			util_buf_putc(out, '\n');
			added[adds[next_add++]] = false;
		}
		if (m[pkg] >= 0) {
			const struct lock_package *n = &next->packages[m[pkg]];
			if (package_kept(o, n))
				util_buf_add(out, t + g->start, g->end - g->start);
			else
				put_package_in(t, g, n, &style, out);
		}
		pkg++;
	}
	util_buf_add(out, t + at, len - at);
	/* Keys the old file did not have go after its last key; packages no
	 * order placed, at the end. */
	struct util_buf keys = UTIL_BUF_INIT;
	for (size_t k = 0; lock_top_keys[k]; k++) {
		const struct lock_override *o = override_of(ov, nov, lock_top_keys[k], false);
		if (seen[k])
			continue;
		if (o) {
			put_line_text(&keys, o->text, o->len);
			ov_done[o - ov] = true;
		} else if (top(next, lock_top_keys[k]))
			lock_write_top(next, lock_top_keys[k], &keys);
	}
	if (keys.len) {
		struct util_buf whole = UTIL_BUF_INIT;
		if (last_key_end && out->data[last_key_end - 1] != '\n')
			util_buf_putc(&keys, '\n');
		util_buf_add(&whole, out->data, last_key_end);
		util_buf_add(&whole, keys.data, keys.len);
		util_buf_add(&whole, out->data + last_key_end, out->len - last_key_end);
		util_buf_truncate(out, 0);
		util_buf_add(out, whole.data, whole.len);
		util_buf_free(&whole);
	}
	util_buf_free(&keys);
	for (size_t j = 0; j < next->npackages; j++)
		if (added[j]) {
			if (out->len && out->data[out->len - 1] != '\n')
				util_buf_putc(out, '\n');
			util_buf_putc(out, '\n');
			put_package_text(&next->packages[j], &style, out);
		}
	/* Tools the old file did not have. */
	for (size_t i = 0; next->tool && next->tool->type == TOML_TABLE && i < next->tool->u.table.len; i++) {
		const char *name = next->tool->u.table.items[i].key;
		if (!toml_get(old->tool, name) && !override_of(ov, nov, name, true))
			lock_write_tool_of(next, name, out);
	}
	for (size_t i = 0; i < nov; i++)
		if (ov[i].tool && !ov_done[i] && ov[i].len) {
			if (out->len && out->data[out->len - 1] != '\n')
				util_buf_putc(out, '\n');
			util_buf_putc(out, '\n');
			put_line_text(out, ov[i].text, ov[i].len);
		}
	/* A last entry removed leaves the blank line before it: the file ends
	 * as it ended. */
	bool blank_end = len >= 2 && t[len - 1] == '\n' && t[len - 2] == '\n';
	while (!blank_end && out->len >= 2 && out->data[out->len - 1] == '\n' && out->data[out->len - 2] == '\n')
		out->len--;
out:
	free(v.s);
	free(m);
	free(added);
	free(ov_done);
	free(adds);
}

bool lock_keep_text(struct lock *l, const char *text, size_t len)
{
	struct segs v = { 0 };
	size_t npkg = 0;

	segment(text, len, &v);
	for (size_t s = 0; s < v.n; s++)
		npkg += v.s[s].kind == SEG_PACKAGE;
	if (npkg == l->npackages) {
		l->text = text;
		l->text_len = len;
		for (size_t s = 0, k = 0; s < v.n; s++)
			if (v.s[s].kind == SEG_PACKAGE) {
				l->packages[k].src = text + v.s[s].start;
				l->packages[k++].src_len = content_end(text, &v.s[s]) - v.s[s].start;
			}
	}
	free(v.s);
	return npkg == l->npackages;
}

bool lock_text_key(const char *text, size_t len, const char *key, bool tool, struct util_buf *out)
{
	struct segs v = { 0 };
	size_t from = 0, to = 0;
	bool found = false;

	segment(text, len, &v);
	for (size_t s = 0; s < v.n; s++) {
		const struct seg *g = &v.s[s];
		char name[64];
		bool is = tool ? g->kind == SEG_TABLE && tool_name(g->key, name, sizeof(name)) && !strcmp(name, key)
			       : g->kind == SEG_KEY && !strcmp(g->key, key);
		if (!is)
			continue;
		if (!found)
			from = g->start;
		to = g->kind == SEG_KEY ? g->end : content_end(text, g);
		found = true;
	}
	if (found)
		put_line_text(out, text + from, to - from);
	free(v.s);
	return found;
}

/* Packages sorted by name, version text and marker: equal packages sort
 * together, so equality is checked run by run. */
static int by_identity(const void *x, const void *y)
{
	const struct lock_package *a = *(const struct lock_package *const *)x, *b = *(const struct lock_package *const *)y;
	int r = strcmp(a->norm_name, b->norm_name);

	if (!r)
		r = strcmp(a->version ? a->version : "", b->version ? b->version : "");
	if (!r)
		r = strcmp(a->marker ? a->marker : "", b->marker ? b->marker : "");
	return r;
}

static const struct lock_package **identity_order(const struct lock_package *pk, size_t n)
{
	const struct lock_package **p = util_xmalloc((n + 1) * sizeof(*p));

	for (size_t i = 0; i < n; i++)
		p[i] = &pk[i];
	if (n > 1)
		qsort(p, n, sizeof(*p), by_identity);
	return p;
}

bool lock_same_packages(const struct lock_package *x, size_t nx, const struct lock_package *y, size_t ny)
{
	if (nx != ny)
		return false;
	const struct lock_package **a = identity_order(x, nx), **b = identity_order(y, ny);
	bool *used = util_xcalloc(nx + 1, sizeof(bool)), same = true;

	for (size_t i = 0, run = 0; same && i < nx; i++) {
		if (i && by_identity(&a[i - 1], &a[i]))
			run = i;
		bool found = false;
		for (size_t j = run; j < nx && !found && !by_identity(&a[i], &b[j]); j++)
			if (!used[j] && lock_package_equal(a[i], b[j]))
				found = used[j] = true;
		same = found;
	}
	free(used);
	free(a);
	free(b);
	return same;
}

bool lock_reads_as(const char *text, size_t len, const struct lock *l)
{
	struct pl_error err;
	struct lock *back = lock_parse(text ? text : "", len, "pylock.toml", &err);
	bool same = back && lock_same_packages(l->packages, l->npackages, back->packages, back->npackages);

	for (size_t k = 0; same && lock_top_keys[k]; k++)
		same = toml_value_equal(top(l, lock_top_keys[k]), top(back, lock_top_keys[k]));
	same = same && toml_value_equal(l->tool, back->tool);
	lock_free(back);
	return same;
}
