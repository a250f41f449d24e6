/* Hashed requirements files (pip-compile --generate-hashes, uv pip compile
 * --generate-hashes) to PEP 751: each line a `name==version` pin with its
 * marker and --hash options, or `name @ URL` with its hash; -i /
 * --index-url and --extra-index-url name the indexes the files are found
 * on; comments and continuation lines as pip reads them. A line without a
 * pin or a hash is an error at that line: pip's hash-checking mode refuses
 * it too. */
#include "config.h"
#include "lockimport-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pep440.h"
#include "pep508.h"

#define REQ_MAX_LINE 65536	/* one logical line, continuations joined */

struct req {
	struct lockimport_set *s;
	const char *path;
	struct util_buf text;	/* the logical line */
	int *line, *col;	/* per byte of text: where the file has it */
	size_t cap;
	struct pl_error *err;
};

static int fail(struct req *q, size_t at, const char *fmt, const char *what)
{
	if (at >= q->text.len)
		at = q->text.len ? q->text.len - 1 : 0;
	return pl_error_set(q->err, q->path, q->text.len ? q->line[at] : 0, q->text.len ? q->col[at] : 0, fmt,
			    what);
}

static void add_byte(struct req *q, char c, int line, int col)
{
	if (q->text.len + 1 > q->cap) {
		q->cap = q->cap ? q->cap * 2 : 256;
		q->line = util_xrealloc(q->line, q->cap * sizeof(int));
		q->col = util_xrealloc(q->col, q->cap * sizeof(int));
	}
	q->line[q->text.len] = line;
	q->col[q->text.len] = col;
	util_buf_putc(&q->text, c);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The word at *p (to the next blank, or '=' for an option's value); *p past
 * it and the blanks after. */
static size_t word(const char *s, size_t *p, size_t len, bool stop_at_eq)
{
	size_t start = *p;

	while (*p < len && !blank(s[*p]) && !(stop_at_eq && s[*p] == '='))
		(*p)++;
	size_t n = *p - start;
	while (*p < len && blank(s[*p]))
		(*p)++;
	return n;
}

static void add_index(struct req *q, const char *url, size_t n, bool main)
{
	struct lockimport_set *s = q->s;

	s->indexes = util_xrealloc(s->indexes, (s->nindexes + 1) * sizeof(*s->indexes));
	/* The main index is searched first. */
	if (main) {
		memmove(s->indexes + 1, s->indexes, s->nindexes * sizeof(*s->indexes));
		s->indexes[0] = util_xstrndup(url, n);
		s->replaces_default = true;
	} else
		s->indexes[s->nindexes] = util_xstrndup(url, n);
	s->nindexes++;
}

/* An option's value: "--opt=V" or "--opt V". */
static int option_value(struct req *q, size_t *p, size_t name_end, size_t *vstart, size_t *vlen)
{
	const char *s = q->text.data;
	size_t len = q->text.len;

	*p = name_end;
	if (*p < len && s[*p] == '=')
		(*p)++;
	while (*p < len && blank(s[*p]))
		(*p)++;
	*vstart = *p;
	*vlen = word(s, p, len, false);
	if (!*vlen)
		return fail(q, name_end, "%s needs a value", "option");
	return 0;
}

static const char *const ignored[] = {
	"--trusted-host", "--pre", "--prefer-binary", "--only-binary", "--no-binary", "--require-hashes",
	"--use-feature", NULL,
};
static const char *const with_value[] = { "--trusted-host", "--only-binary", "--no-binary", "--use-feature", NULL };

static bool listed(const char *const *list, const char *s, size_t n)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && !strncmp(list[i], s, n))
			return true;
	return false;
}

/* A line of options only (-i URL, --extra-index-url URL, ...). */
static int option_line(struct req *q)
{
	const char *s = q->text.data;
	size_t len = q->text.len, p = 0;

	while (p < len) {
		size_t start = p, n = word(s, &p, len, true), v, vl;
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(n < 60 ? n : 60), s + start);
		if ((n == 2 && !strncmp(s + start, "-i", 2)) || !strcmp(name, "--index-url") ||
		    !strcmp(name, "--extra-index-url")) {
			if (option_value(q, &p, start + n, &v, &vl) < 0)
				return -1;
			if (strncmp(s + v, "https://", 8) && strncmp(s + v, "file://", 7))
				return fail(q, v, "%s: only https:// and file:// indexes are read", name);
			add_index(q, s + v, vl, name[2] != 'e');
		} else if (!strcmp(name, "--no-index")) {
			q->s->replaces_default = true;
		} else if (!strcmp(name, "-e") || !strcmp(name, "--editable")) {
			return fail(q, start, "%s: an editable requirement names no hashed file; pylock locks only "
				    "hashed files (list the project as a directory in pyproject.toml instead)", name);
		} else if (!strcmp(name, "-r") || !strcmp(name, "-c") || !strcmp(name, "--requirement") ||
			   !strcmp(name, "--constraint") || !strcmp(name, "-f") || !strcmp(name, "--find-links")) {
			return fail(q, start, "%s: not yet read by pylock import (one self-contained file, as "
				    "pip-compile writes it)", name);
		} else if (listed(ignored, s + start, n)) {
			/* They choose among files the hashes already fix. */
			if (listed(with_value, s + start, n) && option_value(q, &p, start + n, &v, &vl) < 0)
				return -1;
		} else
			return fail(q, start, "%s: not an option of a requirements file pylock knows", name);
	}
	return 0;
}

static int hash_option(struct req *q, size_t *p, struct lockimport_entry *e)
{
	const char *s = q->text.data;
	size_t len = q->text.len, start = *p, n = word(s, p, len, true), v, vl;

	if (n != 6 || strncmp(s + start, "--hash", 6))
		return fail(q, start, "%s: after a requirement only --hash is read", "option");
	if (option_value(q, p, start + n, &v, &vl) < 0)
		return -1;
	char *h = util_xstrndup(s + v, vl);
	int rc = lockimport_entry_file(q->s, e, NULL, h, q->line[v], q->col[v], q->err);
	free(h);
	return rc;
}

static int direct_url(struct req *q, struct lockimport_entry *e, const char *url, size_t at)
{
	if (strncmp(url, "https://", 8) && strncmp(url, "file://", 7))
		return fail(q, at, "%s: a URL requirement must name an https:// or file:// archive (a VCS URL has no "
			    "hash to lock)", e->name);
	if (e->nfiles != 1)
		return fail(q, at, "%s: a URL requirement names one file: give exactly one --hash", e->name);
	lockimport_put_archive(e, "url", url, NULL);
	return 0;
}

/* "name==version ; marker --hash=..." */
static int requirement_line(struct req *q)
{
	const char *s = q->text.data, *why;
	size_t len = q->text.len, end = 0, off;
	struct pep508_requirement r;
	char quote = 0;
	int rc = -1;

	/* The requirement ends where the first option begins. */
	for (; end < len; end++) {
		if (quote) {
			quote = s[end] == quote ? 0 : quote;
			continue;
		}
		if (s[end] == '"' || s[end] == '\'')
			quote = s[end];
		else if (s[end] == '-' && end && blank(s[end - 1]) && end + 1 < len && s[end + 1] == '-')
			break;
	}
	while (end && blank(s[end - 1]))
		end--;
	char *req = util_xstrndup(s, end);
	if (pep508_requirement_parse(req, &r, &why, &off) < 0) {
		fail(q, off, "%s", why);
		free(req);
		return -1;
	}
	bool pinned = r.spec.n == 1 && (r.spec.specs[0].op == PEP440_EQ || r.spec.specs[0].op == PEP440_ARBITRARY) &&
		      !r.spec.specs[0].wildcard;
	if (!r.url && !pinned) {
		fail(q, 0, "%s: not pinned to one version (name==version); a lock names exact files", r.name);
		goto out;
	}
	char version[128] = "";
	if (!r.url && r.spec.specs[0].op == PEP440_EQ)
		pep440_format(&r.spec.specs[0].version, version, sizeof(version));
	else if (!r.url)
		snprintf(version, sizeof(version), "%s", r.spec.specs[0].arbitrary);
	struct lockimport_entry *e = lockimport_set_add(q->s, r.name, r.url ? NULL : version, q->line[0], q->col[0]);
	if (!e) {
		fail(q, 0, "%s: more requirements than pylock reads", r.name);
		goto out;
	}
	if (r.marker_at)
		e->marker = util_xstrdup(req + r.marker_at);
	size_t p = end;
	while (p < len && blank(s[p]))
		p++;
	while (p < len)
		if (hash_option(q, &p, e) < 0)
			goto out;
	if (!e->nfiles) {
		fail(q, 0, "%s: no --hash; a lock names files by their hashes (pip-compile --generate-hashes)", r.name);
		goto out;
	}
	rc = r.url ? direct_url(q, e, r.url, 0) : 0;
out:
	pep508_requirement_fini(&r);
	free(req);
	return rc;
}

static int logical_line(struct req *q)
{
	if (!q->text.len)
		return 0;
	return q->text.data[0] == '-' ? option_line(q) : requirement_line(q);
}

/* Two pins of one name must be told apart by their markers. */
static int check_twice(struct req *q)
{
	struct lockimport_set *s = q->s;

	for (size_t i = 0; i < s->n; i++)
		for (size_t k = i + 1; k < s->n; k++) {
			char a[PEP508_MAX_NAME], b[PEP508_MAX_NAME];
			pep508_normalize_name(s->e[i].name, a);
			pep508_normalize_name(s->e[k].name, b);
			if (!strcmp(a, b) && (!s->e[i].marker || !s->e[k].marker || !strcmp(s->e[i].marker, s->e[k].marker)))
				return pl_error_set(q->err, q->path, s->e[k].line, s->e[k].col,
						    "%s is required twice (line %d) without markers that tell the "
						    "two apart", s->e[k].name, s->e[i].line);
		}
	return 0;
}

int lockimport_requirements(const char *text, size_t len, const char *path, const struct lockimport_options *o,
			    struct util_buf *out, struct pl_error *err)
{
	struct lockimport_set s = { .path = path, .format = strrchr(path, '/') ? strrchr(path, '/') + 1 : path };
	struct req q = { .s = &s, .path = path, .text = UTIL_BUF_INIT, .err = err };
	int line = 1, col = 1, rc = -1;
	bool comment = false;

	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? text[i] : '\n';
		if (c == '\0') {
			pl_error_set(err, path, line, col, "a requirements file holds no NUL byte");
			goto out;
		}
		if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;
		if (c == '\n') {
			/* A backslash at the end continues the line (not in a comment). */
			size_t n = q.text.len;
			while (n && blank(q.text.data[n - 1]))
				n--;
			if (!comment && n && q.text.data[n - 1] == '\\' && i < len) {
				q.text.len = n - 1;
			} else {
				while (q.text.len && blank(q.text.data[q.text.len - 1]))
					q.text.len--;
				size_t lead = 0;
				while (lead < q.text.len && blank(q.text.data[lead]))
					lead++;
				if (lead) {
					memmove(q.text.data, q.text.data + lead, q.text.len - lead);
					memmove(q.line, q.line + lead, (q.text.len - lead) * sizeof(int));
					memmove(q.col, q.col + lead, (q.text.len - lead) * sizeof(int));
					q.text.len -= lead;
				}
				util_buf_str(&q.text);
				if (logical_line(&q) < 0)
					goto out;
				q.text.len = 0;
			}
			comment = false;
			line++;
			col = 1;
			continue;
		}
		if (c == '#' && (!q.text.len || blank(q.text.data[q.text.len - 1])))
			comment = true;
		if (!comment) {
			if (q.text.len >= REQ_MAX_LINE) {
				pl_error_set(err, path, line, col, "a line longer than %d bytes", REQ_MAX_LINE);
				goto out;
			}
			add_byte(&q, c, line, col);
		}
		col++;
	}
	if (check_twice(&q) == 0)
		rc = lockimport_set_write(&s, o, out, err);
out:
	util_buf_free(&q.text);
	free(q.line);
	free(q.col);
	lockimport_set_fini(&s);
	return rc;
}
