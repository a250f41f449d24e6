/* Editing requirement lists in a pyproject.toml's own text: the TOML tree
 * says where each list and table is (line:column), a small scanner finds
 * each element's bytes inside an array (strings, comments, inline tables),
 * and the edit touches those bytes only. The result is parsed again before
 * it is handed back. */
#include "config.h"
#include "pyedit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pep508.h"
#include "toml.h"

struct span {
	size_t start, end;	/* the element's bytes */
	size_t line_start;	/* its line's first byte */
	size_t comma;		/* the ',' after it (blanks, newlines and comments between), or 0 */
	bool own_line;		/* only blanks before it on its line */
};

struct array_scan {
	struct span *items;
	size_t n;
	size_t close;		/* the ']' */
	bool multiline, trailing_comma;
	char indent[64];	/* of the last element's line */
};

static size_t offset_of(const char *text, size_t len, uint32_t line, uint32_t col)
{
	size_t off = 0;

	for (uint32_t l = 1; l < line && off < len; off++)
		if (text[off] == '\n')
			l++;
	return off + col - 1 <= len ? off + col - 1 : len;
}

/* The end of a string starting at s (its quote), or 0 when unterminated. */
static size_t skip_string(const char *text, size_t len, size_t s)
{
	char q = text[s];
	bool multi = s + 2 < len && text[s + 1] == q && text[s + 2] == q;
	size_t i = s + (multi ? 3 : 1);

	for (; i < len; i++) {
		if (q == '"' && text[i] == '\\') {
			i++;
			continue;
		}
		if (!multi && text[i] == '\n')
			return 0;
		if (text[i] == q && (!multi || (i + 2 < len && text[i + 1] == q && text[i + 2] == q))) {
			/* """ may end with up to two more quotes inside. */
			size_t end = i + (multi ? 3 : 1);
			while (multi && end < len && text[end] == q && end - i < 5)
				end++;
			return end;
		}
	}
	return 0;
}

/* The elements of the array whose '[' is at open. */
static int scan_array(const char *text, size_t len, size_t open, struct array_scan *a)
{
	int depth = 0;
	bool want_item = true, last_comma = false;

	memset(a, 0, sizeof(*a));
	for (size_t i = open + 1; i < len; i++) {
		char c = text[i];
		if (c == '#') {
			while (i < len && text[i] != '\n')
				i++;
			a->multiline = true;
			continue;
		}
		if (c == '\n')
			a->multiline = true;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (depth == 0 && c == ']') {
			a->close = i;
			a->trailing_comma = last_comma;
			return 0;
		}
		if (depth == 0 && c == ',') {
			if (a->n && !want_item)
				a->items[a->n - 1].comma = i;
			want_item = true;
			last_comma = true;
			continue;
		}
		last_comma = false;
		size_t start = i, end;
		if (c == '"' || c == '\'') {
			if (!(end = skip_string(text, len, i)))
				return -1;
		} else if (c == '[' || c == '{') {
			/* A nested array or inline table, skipped whole. */
			int d = 0;
			for (end = i; end < len; end++) {
				if (text[end] == '"' || text[end] == '\'') {
					size_t e = skip_string(text, len, end);
					if (!e)
						return -1;
					end = e - 1;
				} else if (text[end] == '[' || text[end] == '{') {
					d++;
				} else if ((text[end] == ']' || text[end] == '}') && --d == 0) {
					end++;
					break;
				}
			}
		} else {
			for (end = i; end < len && !strchr(",] \t\r\n#", text[end]); end++)
				;
		}
		if (!want_item || end > len)
			return -1;
		want_item = false;
		size_t ls = start;
		while (ls > 0 && text[ls - 1] != '\n')
			ls--;
		bool own = true;
		for (size_t k = ls; k < start; k++)
			own &= text[k] == ' ' || text[k] == '\t';
		a->items = util_xrealloc(a->items, (a->n + 1) * sizeof(*a->items));
		a->items[a->n++] = (struct span){ start, end, ls, 0, own };
		size_t blanks = strspn(text + ls, " \t");
		snprintf(a->indent, sizeof(a->indent), "%.*s", (int)(blanks < start - ls ? blanks : start - ls), text + ls);
		i = end - 1;
	}
	return -1;
}

/* Whether requirement text names project (normalised). */
static bool names(const char *req, const char *project)
{
	struct pep508_requirement *r = util_xmalloc(sizeof(*r));
	const char *why;
	size_t at;
	bool same = false;

	if (pep508_requirement_parse(req, r, &why, &at) == 0) {
		char norm[PEP508_MAX_NAME];
		pep508_normalize_name(r->name, norm);
		same = !strcmp(norm, project);
		pep508_requirement_fini(r);
	}
	free(r);
	return same;
}

static const struct toml_value *get_normalised(const struct toml_value *t, const char *name, const char **key)
{
	char want[PEP508_MAX_NAME], have[PEP508_MAX_NAME];

	if (!t || t->type != TOML_TABLE || strlen(name) >= sizeof(want))
		return NULL;
	pep508_normalize_name(name, want);
	for (size_t i = 0; i < t->u.table.len; i++) {
		if (strlen(t->u.table.items[i].key) >= sizeof(have))
			continue;
		pep508_normalize_name(t->u.table.items[i].key, have);
		if (!strcmp(have, want)) {
			if (key)
				*key = t->u.table.items[i].key;
			return t->u.table.items[i].value;
		}
	}
	return NULL;
}

/* Whether the line at at is the header [name] (blanks aside). */
static bool is_header(const char *text, size_t len, size_t at, const char *name)
{
	size_t n = strlen(name);

	at += strspn(text + at, " \t");
	if (at >= len || text[at++] != '[')
		return false;
	at += strspn(text + at, " \t");
	if (at + n > len || strncmp(text + at, name, n))
		return false;
	at += n;
	at += strspn(text + at, " \t");
	return at < len && text[at] == ']' && (at + 1 >= len || text[at + 1] != ']');
}

/* Where the [name] section of table t ends: before the next header (or
 * the end), after its last non-blank line. -1 when t was not opened by a
 * [name] header of its own (an inline table, or one made by a dotted
 * header like [name.sub]). */
static long section_end(const char *text, size_t len, const struct toml_value *t, const char *name)
{
	size_t at = offset_of(text, len, t->line, 1), end = len, last = 0;
	bool line_start = false;
	int depth = 0;

	if (!is_header(text, len, at, name))
		return -1;
	while (at < len && text[at] != '\n')
		at++;
	last = at < len ? at + 1 : len;
	for (size_t i = at; i < len; i++) {
		char c = text[i];
		if (c == '\n') {
			line_start = true;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r')
			continue;
		if (c == '#') {
			while (i < len && text[i] != '\n')
				i++;
			i--;
			continue;
		}
		if (line_start && depth == 0 && c == '[') {
			end = i;
			while (end > 0 && text[end - 1] != '\n')
				end--;
			break;
		}
		line_start = false;
		if (c == '"' || c == '\'') {
			size_t e = skip_string(text, len, i);
			if (!e)
				return -1;
			i = e - 1;
		} else if (c == '[' || c == '{') {
			depth++;
		} else if (c == ']' || c == '}') {
			depth--;
		}
		/* The end of this line is the section's so far. */
		size_t nl = i;
		while (nl < len && text[nl] != '\n')
			nl++;
		if (depth == 0)
			last = nl < len ? nl + 1 : len;
	}
	return (long)(last < end ? last : end);
}

static void splice(struct util_buf *out, const char *text, size_t len, size_t from, size_t to, const char *with)
{
	util_buf_truncate(out, 0);
	util_buf_add(out, text, from);
	util_buf_puts(out, with);
	util_buf_add(out, text + to, len - to);
}

static void quoted(struct util_buf *b, const char *s)
{
	toml_write_string(b, s, strlen(s));
}

static int add_to_array(const char *text, size_t len, const char *path, const struct toml_value *arr,
			const char *requirement, const char *project, struct util_buf *out, struct pl_error *err)
{
	struct array_scan a;
	struct util_buf piece = UTIL_BUF_INIT;
	size_t open = offset_of(text, len, arr->line, arr->col);
	int rc = 0;

	if (open >= len || text[open] != '[' || scan_array(text, len, open, &a) < 0 || a.n != arr->u.array.len)
		return pl_error_set(err, path, (int)arr->line, (int)arr->col, "this list is written in a way pylock "
				    "cannot edit; add the requirement by hand");
	for (size_t i = 0; i < a.n; i++) {
		const struct toml_value *item = arr->u.array.items[i];
		if (item->type == TOML_STRING && names(item->u.str.ptr, project)) {
			quoted(&piece, requirement);
			splice(out, text, len, a.items[i].start, a.items[i].end, piece.data);
			goto out;
		}
	}
	if (a.multiline) {
		/* A line of its own after the last element's line (and its
		 * comment), indented as it is, in the list's comma style; the
		 * last element gets its comma right after it when it had none. */
		const char *indent = a.n ? a.indent : "    ";
		size_t at = open + 1, comma = 0;
		bool need_comma = a.n && !a.trailing_comma;
		if (a.n) {
			struct span *last = &a.items[a.n - 1];
			comma = at = last->end;
			/* After the list's own trailing comma, wherever it is. */
			if (a.trailing_comma) {
				while (at < a.close && text[at] != ',')
					at += text[at] == '#' ? strcspn(text + at, "\n") : 1;
				at++;
			}
			while (at < a.close && text[at] != '\n')
				at++;
		}
		util_buf_printf(&piece, "\n%s", indent);
		quoted(&piece, requirement);
		if (a.trailing_comma || !a.n)
			util_buf_putc(&piece, ',');
		if (!a.n)
			util_buf_putc(&piece, '\n');
		util_buf_truncate(out, 0);
		util_buf_add(out, text, need_comma ? comma : at);
		if (need_comma) {
			util_buf_putc(out, ',');
			util_buf_add(out, text + comma, at - comma);
		}
		util_buf_add(out, piece.data, piece.len);
		util_buf_add(out, text + at, len - at);
	} else {
		if (a.n)
			util_buf_puts(&piece, ", ");
		quoted(&piece, requirement);
		size_t at = a.n ? a.items[a.n - 1].end : open + 1;
		splice(out, text, len, at, at, piece.data);
	}
out:
	util_buf_free(&piece);
	free(a.items);
	return rc;
}

/* A new "key = [requirement]" line at the end of table t's section. */
static int add_key(const char *text, size_t len, const char *path, const struct toml_value *t, const char *table,
		   const char *key, const char *requirement, struct util_buf *out, struct pl_error *err)
{
	struct util_buf piece = UTIL_BUF_INIT;
	long end = section_end(text, len, t, table);

	if (end < 0)
		return pl_error_set(err, path, (int)t->line, (int)t->col, "this table is not written as a [header] "
				    "section; add the requirement by hand");
	if (end > 0 && text[end - 1] != '\n')
		util_buf_putc(&piece, '\n');
	toml_write_key(&piece, key, strlen(key));
	util_buf_puts(&piece, " = [");
	quoted(&piece, requirement);
	util_buf_puts(&piece, "]\n");
	splice(out, text, len, (size_t)end, (size_t)end, piece.data);
	util_buf_free(&piece);
	return 0;
}

int pyedit_add(const char *text, size_t len, const char *path, enum pyedit_list list, const char *name,
	       const char *requirement, struct util_buf *out, struct pl_error *err)
{
	struct pep508_requirement *r = util_xmalloc(sizeof(*r));
	struct toml_doc *doc = NULL;
	char project[PEP508_MAX_NAME];
	const char *why;
	size_t at;
	int rc = -1;

	if (pep508_requirement_parse(requirement, r, &why, &at) < 0) {
		free(r);
		return pl_error_set(err, "SPEC", 1, (int)at + 1, "'%.200s' is not a requirement: %s", requirement, why);
	}
	pep508_normalize_name(r->name, project);
	pep508_requirement_fini(r);
	free(r);
	if (!(doc = toml_parse(text, len, path, err)))
		return -1;
	const struct toml_value *root = toml_root(doc), *proj = toml_get(root, "project"), *arr = NULL, *table;
	const char *key = name, *header;
	switch (list) {
	case PYEDIT_DEPENDENCIES:
		table = proj;
		header = "project";
		key = "dependencies";
		arr = toml_get(proj, key);
		break;
	case PYEDIT_OPTIONAL:
		table = toml_get(proj, "optional-dependencies");
		header = "project.optional-dependencies";
		arr = get_normalised(table, name, &key);
		break;
	default:
		table = toml_get(root, "dependency-groups");
		header = "dependency-groups";
		arr = get_normalised(table, name, &key);
		break;
	}
	if (arr && arr->type != TOML_ARRAY) {
		pl_error_set(err, path, (int)arr->line, (int)arr->col, "%s is not an array", key);
	} else if (arr) {
		rc = add_to_array(text, len, path, arr, requirement, project, out, err);
	} else if (table && table->type == TOML_TABLE) {
		rc = add_key(text, len, path, table, header, key, requirement, out, err);
	} else if (list == PYEDIT_DEPENDENCIES) {
		pl_error_set(err, path, 0, 0, "has no [project] table to add dependencies to");
	} else if (list == PYEDIT_GROUP || (proj && proj->type == TOML_TABLE)) {
		/* A new section: after [project] for an extra, at the end for
		 * a group. */
		long end = list == PYEDIT_GROUP ? (long)len : section_end(text, len, proj, "project");
		struct util_buf piece = UTIL_BUF_INIT;
		if (end < 0) {
			pl_error_set(err, path, (int)proj->line, (int)proj->col, "[project] is not written as a [header] "
				     "section; add the extra by hand");
		} else {
			if (end > 0 && text[end - 1] != '\n')
				util_buf_putc(&piece, '\n');
			util_buf_printf(&piece, "\n[%s]\n", list == PYEDIT_GROUP ? "dependency-groups"
										  : "project.optional-dependencies");
			toml_write_key(&piece, name, strlen(name));
			util_buf_puts(&piece, " = [");
			quoted(&piece, requirement);
			util_buf_puts(&piece, "]\n");
			splice(out, text, len, (size_t)end, (size_t)end, piece.data);
			rc = 0;
		}
		util_buf_free(&piece);
	} else {
		pl_error_set(err, path, 0, 0, "has no [project] table to add an extra to");
	}
	toml_free(doc);
	if (rc == 0) {
		struct toml_doc *check = toml_parse(out->data, out->len, path, err);
		if (!check)
			return pl_error_set(err, path, 0, 0, "editing it would not give TOML (a bug; please report it)");
		toml_free(check);
	}
	return rc;
}

/* The requirement lists of a pyproject.toml. */
static size_t lists(const struct toml_value *root, const struct toml_value **out, size_t max)
{
	const struct toml_value *proj = toml_get(root, "project"), *v;
	size_t n = 0;

	if ((v = toml_get(proj, "dependencies")) && v->type == TOML_ARRAY && n < max)
		out[n++] = v;
	const struct toml_value *tables[2] = { toml_get(proj, "optional-dependencies"),
					       toml_get(root, "dependency-groups") };
	for (size_t t = 0; t < 2; t++)
		for (size_t i = 0; tables[t] && tables[t]->type == TOML_TABLE && i < tables[t]->u.table.len; i++)
			if ((v = tables[t]->u.table.items[i].value)->type == TOML_ARRAY && n < max)
				out[n++] = v;
	return n;
}

struct cut {
	size_t from, to;
};

static int by_from(const void *a, const void *b)
{
	const struct cut *x = a, *y = b;

	return (x->from > y->from) - (x->from < y->from);
}

int pyedit_remove(const char *text, size_t len, const char *path, const char *project, struct util_buf *out,
		  size_t *removed, struct pl_error *err)
{
	const struct toml_value *found[1024];
	struct toml_doc *doc;
	struct cut *cuts = NULL;
	char norm[PEP508_MAX_NAME];
	size_t ncuts = 0;

	*removed = 0;
	if (strlen(project) >= sizeof(norm) || !pep508_valid_name(project))
		return pl_error_set(err, NULL, 0, 0, "'%.200s' is not a project name", project);
	pep508_normalize_name(project, norm);
	if (!(doc = toml_parse(text, len, path, err)))
		return -1;
	size_t n = lists(toml_root(doc), found, sizeof(found) / sizeof(*found));
	for (size_t l = 0; l < n; l++) {
		const struct toml_value *arr = found[l];
		struct array_scan a;
		size_t open = offset_of(text, len, arr->line, arr->col);
		if (open >= len || text[open] != '[' || scan_array(text, len, open, &a) < 0 || a.n != arr->u.array.len) {
			toml_free(doc);
			free(cuts);
			return pl_error_set(err, path, (int)arr->line, (int)arr->col, "this list is written in a way "
					    "pylock cannot edit; remove the requirement by hand");
		}
		for (size_t i = 0; i < a.n; i++) {
			const struct toml_value *item = arr->u.array.items[i];
			if (item->type != TOML_STRING || !names(item->u.str.ptr, norm))
				continue;
			struct span *s = &a.items[i];
			size_t from = s->start, to = s->end;
			/* Its comma goes with it: the one after it (TOML allows
			 * newlines and comments before it); for the last element
			 * without one, the one before, cut on its own when a
			 * comment or line break stands between them. */
			bool line = s->own_line;
			if (s->comma) {
				to = s->comma + 1;
				while (to < a.close && (text[to] == ' ' || text[to] == '\t'))
					to++;
			} else if (i > 0) {
				size_t comma = a.items[i - 1].comma;
				if (strspn(text + comma + 1, " \t") >= from - comma - 1) {
					from = comma;
					line = false;
				} else {
					cuts = util_xrealloc(cuts, (ncuts + 1) * sizeof(*cuts));
					cuts[ncuts++] = (struct cut){ comma, comma + 1 };
				}
			}
			/* An element on a line of its own takes the line (and the
			 * comment on it) along. */
			if (line && (to >= len || text[to] == '\n' || text[to] == '\r' || text[to] == '#')) {
				while (to < len && text[to] != '\n')
					to++;
				from = s->line_start;
				to += to < len;
			}
			cuts = util_xrealloc(cuts, (ncuts + 1) * sizeof(*cuts));
			cuts[ncuts++] = (struct cut){ from, to };
			(*removed)++;
		}
		free(a.items);
	}
	toml_free(doc);
	if (ncuts)
		qsort(cuts, ncuts, sizeof(*cuts), by_from);
	util_buf_truncate(out, 0);
	size_t at = 0;
	for (size_t i = 0; i < ncuts; i++) {
		/* Neighbours removed together share the comma between them. */
		if (cuts[i].from < at) {
			at = cuts[i].to > at ? cuts[i].to : at;
			continue;
		}
		util_buf_add(out, text + at, cuts[i].from - at);
		at = cuts[i].to;
	}
	util_buf_add(out, text + at, len - at);
	free(cuts);
	struct toml_doc *check = toml_parse(out->data ? out->data : "", out->len, path, err);
	if (!check)
		return pl_error_set(err, path, 0, 0, "editing it would not give TOML (a bug; please report it)");
	toml_free(check);
	return 0;
}
