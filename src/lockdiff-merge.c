/* The 3-way merge of locks, package by package: each side's packages keyed
 * as in the diff, compared by their written form (so "the same change on
 * both sides" means the same bytes pylock would write). */
#include "config.h"
#include "lockdiff.h"

#include <stdlib.h>
#include <string.h>

#include "pep440.h"
#include "pep508.h"

static char *package_text(const struct lock_package *p)
{
	struct util_buf b = UTIL_BUF_INIT;

	if (!p)
		return NULL;
	lock_write_package(p, &b);
	return util_buf_steal(&b);
}

/* The 3-way rule; returns the side kept, or -1 for a conflict. */
static int merge_rule(const char *base, const char *ours, const char *theirs)
{
	if (util_str_equal(ours, theirs) || util_str_equal(base, theirs))
		return LOCKDIFF_OURS;
	if (util_str_equal(base, ours))
		return LOCKDIFF_THEIRS;
	return -1;
}

static const struct lock_package *any_side(const struct lockdiff_item *it)
{
	return it->side[LOCKDIFF_OURS] ? it->side[LOCKDIFF_OURS]
	     : it->side[LOCKDIFF_THEIRS] ? it->side[LOCKDIFF_THEIRS] : it->side[LOCKDIFF_BASE];
}

static int by_writer_order(const void *a, const void *b)
{
	const struct lockdiff_item *x = a, *y = b;

	return lock_package_order(any_side(x), any_side(y));
}

static void merge_packages(struct lockdiff_merge *m)
{
	struct lockdiff_key *k[3];
	size_t n[3], at[3] = { 0, 0, 0 };

	for (int s = 0; s < 3; s++)
		k[s] = lockdiff_keys(m->side[s], &n[s]);
	for (;;) {
		const char *least = NULL;

		for (int s = 0; s < 3; s++)
			if (at[s] < n[s] && (!least || strcmp(k[s][at[s]].key, least) < 0))
				least = k[s][at[s]].key;
		if (!least)
			break;
		m->items = util_xrealloc(m->items, (m->n + 1) * sizeof(*m->items));
		struct lockdiff_item *it = &m->items[m->n++];
		memset(it, 0, sizeof(*it));
		it->key = util_xstrdup(least);
		for (int s = 0; s < 3; s++)
			if (at[s] < n[s] && !strcmp(k[s][at[s]].key, it->key))
				it->side[s] = k[s][at[s]++].p;
		const struct lock_package *b = it->side[LOCKDIFF_BASE], *o = it->side[LOCKDIFF_OURS],
					  *t = it->side[LOCKDIFF_THEIRS];
		/* The 3-way rule, as merge_rule() for the top-level keys. */
		if (lock_package_equal(o, t) || lock_package_equal(b, t))
			it->chosen = o;
		else if (lock_package_equal(b, o))
			it->chosen = t;
		else {
			it->conflict = true;
			m->conflicts++;
		}
	}
	for (int s = 0; s < 3; s++)
		lockdiff_keys_free(k[s], n[s]);
	if (m->n > 1)
		qsort(m->items, m->n, sizeof(*m->items), by_writer_order);
}

static char *top_text(const struct lock *l, const char *key)
{
	struct util_buf b = UTIL_BUF_INIT;

	if (!l)
		return NULL;
	lock_write_top(l, key, &b);
	return b.len ? util_buf_steal(&b) : (util_buf_free(&b), NULL);
}

void lockdiff_merge3(const struct lock *base, const struct lock *ours, const struct lock *theirs,
		     struct lockdiff_merge *m)
{
	memset(m, 0, sizeof(*m));
	m->side[LOCKDIFF_BASE] = base;
	m->side[LOCKDIFF_OURS] = ours;
	m->side[LOCKDIFF_THEIRS] = theirs;
	for (size_t i = 0; lock_top_keys[i] && m->ntop < sizeof(m->top) / sizeof(m->top[0]); i++) {
		char *t[3];
		for (int s = 0; s < 3; s++)
			t[s] = top_text(m->side[s], lock_top_keys[i]);
		int rule = merge_rule(t[0], t[1], t[2]);
		struct lockdiff_top_item *top = &m->top[m->ntop++];
		top->key = lock_top_keys[i];
		top->conflict = rule < 0;
		top->chosen = rule < 0 ? LOCKDIFF_OURS : rule;
		m->conflicts += rule < 0;
		for (int s = 0; s < 3; s++)
			free(t[s]);
	}
	merge_packages(m);
}

static int compare_versions(const struct lock_package *a, const struct lock_package *b)
{
	struct pep440_version x, y;
	const char *why;

	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	if (!a->version || !b->version || pep440_parse(a->version, &x, &why) < 0 ||
	    pep440_parse(b->version, &y, &why) < 0)
		return 0;
	return pep440_compare(&x, &y);
}

void lockdiff_merge_pick(struct lockdiff_merge *m, enum lockdiff_side side)
{
	for (size_t i = 0; i < m->ntop; i++)
		if (m->top[i].conflict) {
			m->top[i].chosen = side == LOCKDIFF_NEWEST ? LOCKDIFF_OURS : (int)side;
			m->top[i].conflict = false;
			m->conflicts--;
		}
	for (size_t i = 0; i < m->n; i++) {
		struct lockdiff_item *it = &m->items[i];

		if (!it->conflict)
			continue;
		if (side == LOCKDIFF_NEWEST)
			it->chosen = compare_versions(it->side[LOCKDIFF_THEIRS], it->side[LOCKDIFF_OURS]) > 0
				     ? it->side[LOCKDIFF_THEIRS] : it->side[LOCKDIFF_OURS];
		else
			it->chosen = it->side[side];
		it->conflict = false;
		m->conflicts--;
	}
}

static void region(struct util_buf *out, char *const text[3])
{
	util_buf_puts(out, "<<<<<<< ours\n");
	util_buf_puts(out, text[LOCKDIFF_OURS] ? text[LOCKDIFF_OURS] : "");
	util_buf_puts(out, "||||||| base\n");
	util_buf_puts(out, text[LOCKDIFF_BASE] ? text[LOCKDIFF_BASE] : "");
	util_buf_puts(out, "=======\n");
	util_buf_puts(out, text[LOCKDIFF_THEIRS] ? text[LOCKDIFF_THEIRS] : "");
	util_buf_puts(out, ">>>>>>> theirs\n");
}

/* [tool.NAME] tables merged 3-way: a change on one side wins (theirs when
 * ours left it as the base had it), ours otherwise. */
static void write_tools(const struct lockdiff_merge *m, struct util_buf *out)
{
	const struct lock *base = m->side[LOCKDIFF_BASE], *ours = m->side[LOCKDIFF_OURS];
	const struct lock *theirs = m->side[LOCKDIFF_THEIRS];

	for (int s = LOCKDIFF_OURS; s <= LOCKDIFF_THEIRS; s++) {
		const struct toml_value *tools = m->side[s] ? m->side[s]->tool : NULL;
		for (size_t i = 0; tools && tools->type == TOML_TABLE && i < tools->u.table.len; i++) {
			const char *name = tools->u.table.items[i].key;
			const struct toml_value *b = base ? toml_get(base->tool, name) : NULL;
			const struct toml_value *o = ours ? toml_get(ours->tool, name) : NULL;
			const struct toml_value *t = theirs ? toml_get(theirs->tool, name) : NULL;
			/* Each name once: from ours, or from theirs when ours has none. */
			if (s == LOCKDIFF_THEIRS && o)
				continue;
			const struct lock *from = toml_value_equal(o, b) ? theirs : ours;
			if (from && toml_get(from->tool, name) && (from == ours || t))
				lock_write_tool_of(from, name, out);
		}
	}
}

void lockdiff_merge_write(const struct lockdiff_merge *m, struct util_buf *out)
{
	const struct lock *head = m->side[LOCKDIFF_OURS] ? m->side[LOCKDIFF_OURS] : m->side[LOCKDIFF_THEIRS];

	for (size_t i = 0; i < m->ntop; i++) {
		const struct lockdiff_top_item *top = &m->top[i];
		char *t[3];

		if (!top->conflict) {
			if (m->side[top->chosen])
				lock_write_top(m->side[top->chosen], top->key, out);
			continue;
		}
		for (int s = 0; s < 3; s++)
			t[s] = top_text(m->side[s], top->key);
		region(out, t);
		for (int s = 0; s < 3; s++)
			free(t[s]);
	}
	if (head)
		lock_write_unknown(head, out);
	for (size_t i = 0; i < m->n; i++) {
		const struct lockdiff_item *it = &m->items[i];
		char *t[3];

		if (!it->conflict) {
			if (it->chosen)
				lock_write_package(it->chosen, out);
			continue;
		}
		/* The blank line that starts each package goes before the region. */
		for (int s = 0; s < 3; s++) {
			t[s] = package_text(it->side[s]);
			if (t[s])
				memmove(t[s], t[s] + 1, strlen(t[s]));
		}
		util_buf_putc(out, '\n');
		region(out, t);
		for (int s = 0; s < 3; s++)
			free(t[s]);
	}
	write_tools(m, out);
}

size_t lockdiff_merge_missing(const struct lockdiff_merge *m, char ***names)
{
	size_t n = 0;

	*names = NULL;
	for (size_t i = 0; i < m->n; i++) {
		const struct lock_package *p = m->items[i].chosen;

		if (!p || !p->dependencies)
			continue;
		for (size_t d = 0; d < p->dependencies->u.array.len; d++) {
			const struct toml_value *name = toml_get(p->dependencies->u.array.items[d], "name");
			char norm[256];
			bool found = false;

			if (!name || name->u.str.len >= sizeof(norm))
				continue;
			pep508_normalize_name(name->u.str.ptr, norm);
			for (size_t k = 0; k < m->n && !found; k++)
				found = m->items[k].chosen && !strcmp(m->items[k].chosen->norm_name, norm);
			for (size_t k = 0; k < n && !found; k++)
				found = !strcmp((*names)[k], norm);
			if (!found) {
				*names = util_xrealloc(*names, (n + 1) * sizeof(**names));
				(*names)[n++] = util_xstrdup(norm);
			}
		}
	}
	return n;
}

void lockdiff_merge_fini(struct lockdiff_merge *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->items[i].key);
	free(m->items);
	memset(m, 0, sizeof(*m));
}

bool lockdiff_split_conflicts(const char *text, size_t len, struct util_buf out[3])
{
	enum { OUTSIDE, IN_OURS, IN_BASE, IN_THEIRS } state = OUTSIDE;
	bool any = false;
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (n >= 7 && !memcmp(p, "<<<<<<<", 7) && state == OUTSIDE) {
			state = IN_OURS;
			any = true;
		} else if (n >= 7 && !memcmp(p, "|||||||", 7) && state == IN_OURS)
			state = IN_BASE;
		else if (n >= 7 && !memcmp(p, "=======", 7) && (state == IN_OURS || state == IN_BASE))
			state = IN_THEIRS;
		else if (n >= 7 && !memcmp(p, ">>>>>>>", 7) && state == IN_THEIRS)
			state = OUTSIDE;
		else if (state == OUTSIDE)
			for (int s = 0; s < 3; s++)
				util_buf_add(&out[s], p, n);
		else
			util_buf_add(&out[state == IN_OURS ? LOCKDIFF_OURS : state == IN_BASE ? LOCKDIFF_BASE
					  : LOCKDIFF_THEIRS], p, n);
		p += n;
	}
	return any;
}
