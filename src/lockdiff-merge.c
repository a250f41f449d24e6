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

static void add_top(struct lockdiff_merge *m, const char *key, bool tool, int rule)
{
	m->top = util_xrealloc(m->top, (m->ntop + 1) * sizeof(*m->top));
	m->top[m->ntop++] = (struct lockdiff_top_item){ key, tool, rule < 0 ? LOCKDIFF_OURS : rule, rule < 0 };
	m->conflicts += rule < 0;
}

static const struct toml_value *tool_of(const struct lock *l, const char *name)
{
	return l ? toml_get(l->tool, name) : NULL;
}

/* Each tool once, in ours' order, then theirs', then base's. */
static void merge_tools(struct lockdiff_merge *m)
{
	static const int order[] = { LOCKDIFF_OURS, LOCKDIFF_THEIRS, LOCKDIFF_BASE };

	for (int o = 0; o < 3; o++) {
		const struct toml_value *tools = m->side[order[o]] ? m->side[order[o]]->tool : NULL;
		for (size_t i = 0; tools && tools->type == TOML_TABLE && i < tools->u.table.len; i++) {
			const char *name = tools->u.table.items[i].key;
			bool seen = false;
			for (int e = 0; e < o && !seen; e++)
				seen = tool_of(m->side[order[e]], name) != NULL;
			if (seen)
				continue;
			const struct toml_value *b = tool_of(m->side[LOCKDIFF_BASE], name);
			const struct toml_value *ov = tool_of(m->side[LOCKDIFF_OURS], name);
			const struct toml_value *t = tool_of(m->side[LOCKDIFF_THEIRS], name);
			int rule = (!ov && !t) || (ov && t && toml_value_equal(ov, t)) ||
					   (!b && !t) || (b && t && toml_value_equal(b, t)) ? LOCKDIFF_OURS
				 : (!b && !ov) || (b && ov && toml_value_equal(b, ov)) ? LOCKDIFF_THEIRS : -1;
			add_top(m, name, true, rule);
		}
	}
}

void lockdiff_merge3(const struct lock *base, const struct lock *ours, const struct lock *theirs,
		     struct lockdiff_merge *m)
{
	memset(m, 0, sizeof(*m));
	m->side[LOCKDIFF_BASE] = base;
	m->side[LOCKDIFF_OURS] = ours;
	m->side[LOCKDIFF_THEIRS] = theirs;
	for (size_t i = 0; lock_top_keys[i]; i++) {
		char *t[3];
		for (int s = 0; s < 3; s++)
			t[s] = top_text(m->side[s], lock_top_keys[i]);
		add_top(m, lock_top_keys[i], false, merge_rule(t[0], t[1], t[2]));
		for (int s = 0; s < 3; s++)
			free(t[s]);
	}
	merge_tools(m);
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

/* A side's text of a top-level key or tool, NULL when it has none: as its
 * file has it when kept, else as pylock writes it (without the blank line
 * a tool's tables start with). */
static char *side_text(const struct lock *l, const struct lockdiff_top_item *top, bool layout)
{
	struct util_buf b = UTIL_BUF_INIT;

	if (!l)
		return NULL;
	if (layout && l->text)
		lock_text_key(l->text, l->text_len, top->key, top->tool, &b);
	else if (top->tool && tool_of(l, top->key) && tool_of(l, top->key)->type != TOML_TABLE) {
		toml_write_key(&b, top->key, strlen(top->key));
		util_buf_puts(&b, " = ");
		toml_write_value(&b, tool_of(l, top->key));
		util_buf_putc(&b, '\n');
	} else if (top->tool) {
		lock_write_tool_of(l, top->key, &b);
		if (b.len)
			memmove(b.data, b.data + 1, b.len--);
	} else
		lock_write_top(l, top->key, &b);
	return b.len ? util_buf_steal(&b) : (util_buf_free(&b), NULL);
}

static void top_region(const struct lockdiff_merge *m, const struct lockdiff_top_item *top, bool layout,
		       struct util_buf *out)
{
	char *t[3];

	for (int s = 0; s < 3; s++)
		t[s] = side_text(m->side[s], top, layout);
	region(out, t);
	for (int s = 0; s < 3; s++)
		free(t[s]);
}

/* The merge in pylock's own layout. */
static void write_plain(const struct lockdiff_merge *m, struct util_buf *out)
{
	const struct lock *head = m->side[LOCKDIFF_OURS] ? m->side[LOCKDIFF_OURS] : m->side[LOCKDIFF_THEIRS];

	for (size_t i = 0; i < m->ntop; i++) {
		const struct lockdiff_top_item *top = &m->top[i];
		if (top->tool)
			continue;
		if (top->conflict)
			top_region(m, top, false, out);
		else if (m->side[top->chosen])
			lock_write_top(m->side[top->chosen], top->key, out);
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
	/* Tools that are no tables are keys of one [tool] table, written
	 * first; the others are tables of their own. */
	bool header = false;
	for (int tables = 0; tables < 2; tables++)
		for (size_t i = 0; i < m->ntop; i++) {
			const struct lockdiff_top_item *top = &m->top[i];
			const struct lock *l = m->side[top->chosen];
			const struct toml_value *v = tool_of(l, top->key);
			if (!top->tool || (v && v->type == TOML_TABLE) != tables)
				continue;
			if (!tables && !header) {
				util_buf_puts(out, "\n[tool]\n");
				header = true;
			}
			if (top->conflict) {
				if (tables)
					util_buf_putc(out, '\n');
				top_region(m, top, false, out);
			} else if (v && v->type != TOML_TABLE) {
				toml_write_key(out, top->key, strlen(top->key));
				util_buf_puts(out, " = ");
				toml_write_value(out, v);
				util_buf_putc(out, '\n');
			} else if (v)
				lock_write_tool_of(l, top->key, out);
		}
}

/* A package's text for a region: its own bytes when kept, else pylock's. */
static char *entry_text(const struct lock_package *p)
{
	struct util_buf b = UTIL_BUF_INIT;

	if (!p)
		return NULL;
	if (p->src) {
		util_buf_add(&b, p->src, p->src_len);
		if (!p->src_len || p->src[p->src_len - 1] != '\n')
			util_buf_putc(&b, '\n');
		return util_buf_steal(&b);
	}
	char *t = package_text(p);
	memmove(t, t + 1, strlen(t));
	return t;
}

/* The merge over ours' text (see lockdiff_merge_write); false when ours
 * was not read with its text. */
static bool write_layout(const struct lockdiff_merge *m, struct util_buf *out)
{
	const struct lock *ours = m->side[LOCKDIFF_OURS];

	if (!ours || !ours->text)
		return false;
	struct lock view = *ours;
	struct util_buf *texts = util_xcalloc(m->n + m->ntop + 1, sizeof(*texts));
	struct lock_override *ov = util_xcalloc(m->ntop + 1, sizeof(*ov));
	size_t nov = 0;

	view.packages = util_xcalloc(m->n + 1, sizeof(*view.packages));
	view.npackages = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct lockdiff_item *it = &m->items[i];
		if (!it->conflict) {
			if (it->chosen)
				view.packages[view.npackages++] = *it->chosen;
			continue;
		}
		char *t[3];
		for (int s = 0; s < 3; s++)
			t[s] = entry_text(it->side[s]);
		region(&texts[i], t);
		for (int s = 0; s < 3; s++)
			free(t[s]);
		/* Where ours has the entry, the region takes its place. */
		struct lock_package *p = &view.packages[view.npackages++];
		*p = *any_side(it);
		p->src = texts[i].data;
		p->src_len = texts[i].len;
	}
	for (size_t i = 0; i < m->ntop; i++) {
		const struct lockdiff_top_item *top = &m->top[i];
		struct util_buf *b = &texts[m->n + i];
		if (!top->conflict && top->chosen == LOCKDIFF_OURS)
			continue;
		if (top->conflict)
			top_region(m, top, true, b);
		else {
			char *t = side_text(m->side[top->chosen], top, true);
			if (t)
				util_buf_puts(b, t);
			free(t);
		}
		ov[nov++] = (struct lock_override){ top->key, top->tool, b->data ? b->data : "", b->len };
	}
	lock_write_update(ours->text, ours->text_len, ours, &view, ov, nov, out);
	for (size_t i = 0; i < m->n + m->ntop; i++)
		util_buf_free(&texts[i]);
	free(texts);
	free(ov);
	free(view.packages);
	return true;
}

/* Whether text, a merge without conflicts, reads as what m chose. */
static bool reads_as_merge(const struct lockdiff_merge *m, const char *text, size_t len)
{
	struct pl_error err;
	struct lock *back = lock_parse(text, len, "merged", &err);
	struct lock_package *chosen = util_xcalloc(m->n + 1, sizeof(*chosen));
	size_t n = 0, ntools = 0;

	for (size_t i = 0; i < m->n; i++)
		if (m->items[i].chosen)
			chosen[n++] = *m->items[i].chosen;
	bool same = back && lock_same_packages(chosen, n, back->packages, back->npackages);
	for (size_t i = 0; same && i < m->ntop; i++) {
		const struct lockdiff_top_item *top = &m->top[i];
		const struct lock *l = m->side[top->chosen];
		if (top->tool) {
			same = toml_value_equal(tool_of(back, top->key), tool_of(l, top->key));
			ntools += tool_of(l, top->key) != NULL;
		} else
			same = toml_value_equal(toml_get(toml_root(back->doc), top->key),
						l ? toml_get(toml_root(l->doc), top->key) : NULL);
	}
	same = same && (back->tool ? back->tool->u.table.len : 0) == ntools;
	free(chosen);
	lock_free(back);
	return same;
}

/* Regions cannot be read; each side of them must be. */
static bool sides_read(const char *text, size_t len)
{
	struct util_buf split[3] = { UTIL_BUF_INIT, UTIL_BUF_INIT, UTIL_BUF_INIT };
	struct pl_error err;
	bool good = true;

	lockdiff_split_conflicts(text, len, split);
	for (int s = LOCKDIFF_OURS; s <= LOCKDIFF_THEIRS; s++) {
		struct lock *l = lock_parse(util_buf_str(&split[s]), split[s].len, "side", &err);
		good = good && l;
		lock_free(l);
	}
	for (int s = 0; s < 3; s++)
		util_buf_free(&split[s]);
	return good;
}

void lockdiff_merge_write(const struct lockdiff_merge *m, struct util_buf *out)
{
	struct util_buf kept = UTIL_BUF_INIT;

	if (write_layout(m, &kept) && (m->conflicts ? sides_read(kept.data, kept.len)
				       : reads_as_merge(m, util_buf_str(&kept), kept.len))) {
		if (!out->len) {
			util_buf_free(out);
			*out = kept;
			return;
		}
		util_buf_add(out, kept.data, kept.len);
	} else
		write_plain(m, out);
	util_buf_free(&kept);
}

/* The result's entries of a name (conflicts counted as ours). */
static const struct lock_package *result_of(const struct lockdiff_item *it)
{
	return it->conflict ? it->side[LOCKDIFF_OURS] : it->chosen;
}

size_t lockdiff_merge_broken(const struct lockdiff_merge *m, struct lockdiff_broken **out)
{
	size_t n = 0;

	*out = NULL;
	for (size_t i = 0; i < m->n; i++) {
		const struct lock_package *p = result_of(&m->items[i]);

		if (!p || !p->dependencies || p->dependencies->type != TOML_ARRAY)
			continue;
		for (size_t d = 0; d < p->dependencies->u.array.len; d++) {
			const struct toml_value *dep = p->dependencies->u.array.items[d];
			const struct toml_value *name = toml_get(dep, "name"), *version = toml_get(dep, "version");
			const char *wanted = version && version->type == TOML_STRING ? version->u.str.ptr : NULL;
			const char *has = NULL;
			char norm[256];
			bool found = false;

			if (!name || name->type != TOML_STRING || name->u.str.len >= sizeof(norm))
				continue;
			pep508_normalize_name(name->u.str.ptr, norm);
			for (size_t k = 0; k < m->n && !found; k++) {
				const struct lock_package *q = result_of(&m->items[k]);
				if (!q || strcmp(q->norm_name, norm))
					continue;
				has = q->version ? q->version : "";
				found = !wanted || (q->version && !strcmp(q->version, wanted));
			}
			if (found)
				continue;
			*out = util_xrealloc(*out, (n + 1) * sizeof(**out));
			(*out)[n++] = (struct lockdiff_broken){ p, util_xstrdup(norm), wanted, has };
		}
	}
	return n;
}

void lockdiff_broken_free(struct lockdiff_broken *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(b[i].name);
	free(b);
}

void lockdiff_broken_text(const struct lockdiff_broken *b, struct util_buf *out)
{
	const char *v = b->dependent->version;

	util_buf_printf(out, "%s%s%s needs %s%s%s; ", b->dependent->norm_name, v ? " " : "", v ? v : "", b->name,
			b->wanted ? " " : "", b->wanted ? b->wanted : "");
	if (b->has)
		util_buf_printf(out, "the lock has %s%s%s", b->name, *b->has ? " " : "", b->has);
	else
		util_buf_printf(out, "the lock has no %s", b->name);
}

void lockdiff_merge_fini(struct lockdiff_merge *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->items[i].key);
	free(m->items);
	free(m->top);
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
