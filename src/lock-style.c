/* A package entry written the way the file's other entries are: uv's
 * inline `sdist = { ... }` and one-line `wheels = [{ ... }]`, pdm's
 * unpadded inline tables and multi-line arrays, pip's [[packages.wheels]]
 * sub-tables with [packages.wheels.hashes]; keys in the order the file
 * keeps them. The style is read off the file's own entries. */
#include "config.h"
#include "lock.h"

#include <stdio.h>
#include <string.h>

/* The entry's keys in pylock's order: where a file's order says nothing
 * of a key, it goes after the key pylock writes before it. */
static const char *const spec_keys[] = {
	"name", "version", "marker", "requires-python", "dependencies", "index", "vcs", "directory",
	"archive", "sdist", "wheels", "attestation-identities", "tool", NULL,
};
#define NSPEC (sizeof(spec_keys) / sizeof(spec_keys[0]) - 1)

/* Adds a key once; a key an earlier entry lacked goes right after the key
 * before it in this entry (*prev, -1: first), so entries that each show
 * some keys make one order. */
static void add_key(char (*keys)[24], size_t *n, size_t max, const char *key, size_t len, long *prev)
{
	if (len >= 24)
		return;
	for (size_t i = 0; i < *n; i++)
		if (strlen(keys[i]) == len && !memcmp(keys[i], key, len)) {
			*prev = (long)i;
			return;
		}
	if (*n >= max)
		return;
	size_t at = (size_t)(*prev + 1);
	memmove(keys[at + 1], keys[at], (*n - at) * sizeof(*keys));
	memcpy(keys[at], key, len);
	keys[at][len] = '\0';
	(*n)++;
	*prev = (long)at;
}

static size_t key_len(const char *p, const char *end)
{
	size_t n = 0;

	while (p + n < end && (p[n] == '-' || p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z') ||
			       (p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9')))
		n++;
	return n;
}

/* An inline table's padding, separator and keys, from its opening brace. */
static void read_inline(struct lock_style *st, const char *p, const char *end, char sep[3])
{
	int depth = 0;
	bool first = true;
	long prev = -1;

	st->padded = p + 1 < end && p[1] == ' ';
	for (; p < end; p++) {
		if (*p == '"' || *p == '\'') {
			char q = *p;
			for (p++; p < end && *p != q; p++)
				p += *p == '\\' && q == '"';
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				return;
		} else if (depth == 1 && (*p == ',' || (first && p[-1] == '{'))) {
			if (*p == ',' && first) {
				snprintf(sep, 3, "%s", p + 1 < end && p[1] == ' ' ? ", " : ",");
				first = false;
			}
			const char *k = p + (*p == ',' || *p == '{');
			while (k < end && *k == ' ')
				k++;
			add_key(st->file_keys, &st->nfile_keys, LOCK_STYLE_KEYS, k, key_len(k, end), &prev);
		}
	}
}

void lock_style_read(struct lock_style *st, const char *entry, size_t len)
{
	const char *p = entry, *end = entry + len;
	bool main_table = true, prev_blank = false;
	char table[40] = "";
	long prev_key = -1, prev_file_key = -1;

	st->known = true;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		const char *s = p;
		while (s < le && (*s == ' ' || *s == '\t'))
			s++;
		bool blank = s == le || *s == '\r';
		if (!blank && *s == '[') {
			bool aot = s + 1 < le && s[1] == '[';
			const char *h = s + (aot ? 2 : 1);
			size_t hl = 0;
			while (h + hl < le && h[hl] != ']')
				hl++;
			snprintf(table, sizeof(table), "%.*s", (int)hl, h);
			if (!strcmp(table, "packages.wheels") || !strcmp(table, "packages.sdist") ||
			    !strcmp(table, "packages.archive")) {
				st->tables = true;
				st->blank_before_tables = prev_blank;
				add_key(st->keys, &st->nkeys, LOCK_STYLE_KEYS, table + 9, strlen(table + 9), &prev_key);
				main_table = false;
				prev_file_key = -1;
			} else if (strstr(table, ".hashes")) {
				st->hash_tables = true;
				add_key(st->file_keys, &st->nfile_keys, LOCK_STYLE_KEYS, "hashes", 6, &prev_file_key);
			} else if (!strncmp(table, "packages.tool", 13)) {
				st->tool_tables = true;
				add_key(st->keys, &st->nkeys, LOCK_STYLE_KEYS, "tool", 4, &prev_key);
				main_table = false;
			} else if (strcmp(table, "packages"))
				main_table = false;
		} else if (!blank && *s != '#') {
			size_t kl = key_len(s, le);
			const char *v = s + kl;
			while (v < le && (*v == ' ' || *v == '='))
				v++;
			bool in_file = !strncmp(table, "packages.wheels", 15) || !strncmp(table, "packages.sdist", 14) ||
				       !strncmp(table, "packages.archive", 16);
			if (main_table && kl) {
				add_key(st->keys, &st->nkeys, LOCK_STYLE_KEYS, s, kl, &prev_key);
				if ((kl == 5 && !memcmp(s, "sdist", 5)) || (kl == 7 && !memcmp(s, "archive", 7))) {
					if (v < le && *v == '{')
						read_inline(st, v, le, st->sdist_sep);
				} else if (kl == 6 && !memcmp(s, "wheels", 6) && v < le && *v == '[') {
					if (v + 1 < le && v[1] == '{') {
						st->wheel_one_line = true;
						read_inline(st, v + 1, le, st->wheel_sep);
					}
				}
				if (v < le && *v == '[' && v + 1 == le && !(kl == 6 && !memcmp(s, "wheels", 6)))
					st->multiline_arrays = true;
			} else if (in_file && kl && !strstr(table, ".hashes"))
				add_key(st->file_keys, &st->nfile_keys, LOCK_STYLE_KEYS, s, kl, &prev_file_key);
			else if (!kl && *s == '{' && !strcmp(table, "packages")) {
				/* An item of a multi-line wheels array. */
				snprintf(st->indent, sizeof(st->indent), "%.*s", (int)(s - p < 8 ? s - p : 8), p);
				read_inline(st, s, le, st->wheel_sep);
			} else if (kl && v < le && *v == '[' && v + 1 == le)
				st->multiline_arrays = true;
		}
		prev_blank = blank;
		p = nl ? nl + 1 : end;
	}
	if (!st->sdist_sep[0])
		snprintf(st->sdist_sep, sizeof(st->sdist_sep), "%s", st->wheel_sep[0] ? st->wheel_sep : ", ");
	if (!st->wheel_sep[0])
		snprintf(st->wheel_sep, sizeof(st->wheel_sep), "%s", st->sdist_sep);
	if (!st->indent[0])
		snprintf(st->indent, sizeof(st->indent), "    ");
}

/* ---- writing ---- */

static bool has_key(const struct lock_package *p, const char *key)
{
	static const char *const always[] = { "name", NULL };

	for (size_t i = 0; always[i]; i++)
		if (!strcmp(key, always[i]))
			return true;
	return (!strcmp(key, "version") && p->version) || (!strcmp(key, "marker") && p->marker) ||
	       (!strcmp(key, "requires-python") && p->requires_python) ||
	       (!strcmp(key, "dependencies") && p->dependencies) || (!strcmp(key, "index") && p->index) ||
	       (!strcmp(key, "vcs") && p->vcs) || (!strcmp(key, "directory") && p->directory) ||
	       (!strcmp(key, "archive") && p->has_archive) || (!strcmp(key, "sdist") && p->has_sdist) ||
	       (!strcmp(key, "wheels") && p->wheels) ||
	       (!strcmp(key, "attestation-identities") && p->attestation_identities) ||
	       (!strcmp(key, "tool") && p->tool);
}

static long position(char (*keys)[24], size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keys[i], key))
			return (long)i;
	return -1;
}

/* The entry's keys in the file's order. */
static size_t key_order(const struct lock_style *st, const struct lock_package *p, const char *out[NSPEC])
{
	long rank[NSPEC], last = -1;
	size_t n = 0;

	for (size_t i = 0; i < NSPEC; i++) {
		long at = position((char (*)[24])st->keys, st->nkeys, spec_keys[i]);
		rank[i] = at >= 0 ? at * 100 : last + 1;
		last = rank[i];
		if (has_key(p, spec_keys[i]))
			out[n++] = spec_keys[i];
	}
	/* Insertion sort by rank: a dozen keys. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0; j--) {
			long a = 0, b = 0;
			for (size_t k = 0; k < NSPEC; k++) {
				a = !strcmp(spec_keys[k], out[j - 1]) ? rank[k] : a;
				b = !strcmp(spec_keys[k], out[j]) ? rank[k] : b;
			}
			if (a <= b)
				break;
			const char *t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static void put_str(struct util_buf *b, const char *s)
{
	toml_write_string(b, s, strlen(s));
}

/* A value; arrays on several lines when the file writes them so. */
static void put_value(const struct lock_style *st, struct util_buf *b, const struct toml_value *v)
{
	if (v->type != TOML_ARRAY || !st->multiline_arrays || !v->u.array.len) {
		toml_write_value(b, v);
		return;
	}
	util_buf_puts(b, "[\n");
	for (size_t i = 0; i < v->u.array.len; i++) {
		util_buf_puts(b, st->indent);
		toml_write_value(b, v->u.array.items[i]);
		util_buf_puts(b, ",\n");
	}
	util_buf_putc(b, ']');
}

static const char *const file_spec[] = { "name", "upload-time", "url", "path", "size", "hashes", "subdirectory", NULL };

static bool file_has(const struct lock_file *f, const char *key)
{
	return (!strcmp(key, "name") && f->name_written) || (!strcmp(key, "upload-time") && f->has_upload_time) ||
	       (!strcmp(key, "url") && f->url) || (!strcmp(key, "path") && f->path) ||
	       (!strcmp(key, "size") && f->size >= 0) || !strcmp(key, "hashes") ||
	       (!strcmp(key, "subdirectory") && f->subdirectory);
}

static void put_hashes(const struct lock_style *st, struct util_buf *b, const struct lock_file *f, const char *sep)
{
	util_buf_puts(b, st->padded ? "{ " : "{");
	for (size_t i = 0; i < f->nhashes; i++) {
		if (i)
			util_buf_puts(b, sep);
		toml_write_key(b, f->hashes[i].algo, strlen(f->hashes[i].algo));
		util_buf_puts(b, " = ");
		put_str(b, f->hashes[i].value);
	}
	util_buf_puts(b, st->padded ? " }" : "}");
}

static void put_file_value(const struct lock_style *st, struct util_buf *b, const struct lock_file *f,
			   const char *key, const char *sep)
{
	if (!strcmp(key, "name"))
		put_str(b, f->name);
	else if (!strcmp(key, "upload-time"))
		toml_write_datetime(b, f->upload_time_type, &f->upload_time);
	else if (!strcmp(key, "url"))
		put_str(b, f->url);
	else if (!strcmp(key, "path"))
		put_str(b, f->path);
	else if (!strcmp(key, "size"))
		toml_write_integer(b, f->size);
	else if (!strcmp(key, "hashes"))
		put_hashes(st, b, f, sep);
	else
		put_str(b, f->subdirectory);
}

/* The file's keys in the file's order, those it does not show after. */
static size_t file_order(const struct lock_style *st, const struct lock_file *f, const char *out[8])
{
	size_t n = 0;

	for (size_t i = 0; i < st->nfile_keys; i++)
		for (size_t k = 0; file_spec[k]; k++)
			if (!strcmp(file_spec[k], st->file_keys[i]) && file_has(f, file_spec[k]))
				out[n++] = file_spec[k];
	for (size_t k = 0; file_spec[k]; k++)
		if (file_has(f, file_spec[k]) && position((char (*)[24])st->file_keys, st->nfile_keys, file_spec[k]) < 0)
			out[n++] = file_spec[k];
	return n;
}

static void put_inline_file(const struct lock_style *st, struct util_buf *b, const struct lock_file *f, const char *sep)
{
	const char *keys[8];
	size_t n = file_order(st, f, keys);

	util_buf_puts(b, st->padded ? "{ " : "{");
	for (size_t i = 0; i < n; i++) {
		if (i)
			util_buf_puts(b, sep);
		util_buf_printf(b, "%s = ", keys[i]);
		put_file_value(st, b, f, keys[i], sep);
	}
	for (size_t i = 0; i < f->nextra; i++) {
		util_buf_puts(b, sep);
		toml_write_key(b, f->extra[i]->key, f->extra[i]->key_len);
		util_buf_puts(b, " = ");
		toml_write_value(b, f->extra[i]->value);
	}
	util_buf_puts(b, st->padded ? " }" : "}");
}

static void table_header(const struct lock_style *st, struct util_buf *b, const char *header)
{
	if (st->blank_before_tables)
		util_buf_putc(b, '\n');
	util_buf_puts(b, header);
	util_buf_putc(b, '\n');
}

static void put_table_file(const struct lock_style *st, struct util_buf *b, const struct lock_file *f,
			   const char *kind, bool array)
{
	const char *keys[8];
	size_t n = file_order(st, f, keys);
	char header[64];

	snprintf(header, sizeof(header), array ? "[[packages.%s]]" : "[packages.%s]", kind);
	table_header(st, b, header);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(keys[i], "hashes") && st->hash_tables)
			continue;
		util_buf_printf(b, "%s = ", keys[i]);
		put_file_value(st, b, f, keys[i], ", ");
		util_buf_putc(b, '\n');
	}
	for (size_t i = 0; i < f->nextra; i++) {
		toml_write_key(b, f->extra[i]->key, f->extra[i]->key_len);
		util_buf_puts(b, " = ");
		toml_write_value(b, f->extra[i]->value);
		util_buf_putc(b, '\n');
	}
	if (st->hash_tables) {
		snprintf(header, sizeof(header), "[packages.%s.hashes]", kind);
		table_header(st, b, header);
		for (size_t i = 0; i < f->nhashes; i++) {
			toml_write_key(b, f->hashes[i].algo, strlen(f->hashes[i].algo));
			util_buf_puts(b, " = ");
			put_str(b, f->hashes[i].value);
			util_buf_putc(b, '\n');
		}
	}
}

/* The entry's tool table as [packages.tool.NAME] sections, as pdm writes
 * it; values that are no tables under [packages.tool] itself, first. */
static void put_tool_tables(const struct lock_style *st, struct util_buf *b, const struct toml_value *tool)
{
	bool plain = !tool->u.table.len;

	for (size_t i = 0; i < tool->u.table.len; i++)
		plain = plain || tool->u.table.items[i].value->type != TOML_TABLE;
	if (plain)
		util_buf_puts(b, "\n[packages.tool]\n");
	for (int tables = 0; tables < 2; tables++)
		for (size_t i = 0; i < tool->u.table.len; i++) {
			const struct toml_pair *pr = &tool->u.table.items[i];
			const struct toml_value *v = pr->value;
			if ((v->type == TOML_TABLE) != tables)
				continue;
			if (!tables) {
				toml_write_key(b, pr->key, pr->key_len);
				util_buf_puts(b, " = ");
				put_value(st, b, v);
				util_buf_putc(b, '\n');
				continue;
			}
			util_buf_puts(b, "\n[packages.tool.");
			toml_write_key(b, pr->key, pr->key_len);
			util_buf_puts(b, "]\n");
			for (size_t k = 0; k < v->u.table.len; k++) {
				const struct toml_pair *kv = &v->u.table.items[k];
				toml_write_key(b, kv->key, kv->key_len);
				util_buf_puts(b, " = ");
				put_value(st, b, kv->value);
				util_buf_putc(b, '\n');
			}
		}
}

static void put_wheels_inline(const struct lock_style *st, struct util_buf *b, const struct lock_package *p)
{
	if (st->wheel_one_line && p->nwheels == 1) {
		util_buf_putc(b, '[');
		put_inline_file(st, b, &p->wheels[0], st->wheel_sep);
		util_buf_putc(b, ']');
		return;
	}
	util_buf_puts(b, "[\n");
	for (size_t i = 0; i < p->nwheels; i++) {
		util_buf_puts(b, st->indent);
		put_inline_file(st, b, &p->wheels[i], st->wheel_sep);
		util_buf_puts(b, ",\n");
	}
	util_buf_putc(b, ']');
}

static bool is_table_key(const struct lock_style *st, const char *key)
{
	return (st->tables && (!strcmp(key, "wheels") || !strcmp(key, "sdist") || !strcmp(key, "archive"))) ||
	       (st->tool_tables && !strcmp(key, "tool"));
}

static void put_key(const struct lock_style *st, struct util_buf *b, const struct lock_package *p, const char *key)
{
	const char *s = !strcmp(key, "name") ? p->name : !strcmp(key, "version") ? p->version
		      : !strcmp(key, "marker") ? p->marker : !strcmp(key, "requires-python") ? p->requires_python
		      : !strcmp(key, "index") ? p->index : NULL;
	const struct toml_value *v = !strcmp(key, "dependencies") ? p->dependencies : !strcmp(key, "vcs") ? p->vcs
				   : !strcmp(key, "directory") ? p->directory
				   : !strcmp(key, "attestation-identities") ? p->attestation_identities
				   : !strcmp(key, "tool") ? p->tool : NULL;

	util_buf_printf(b, "%s = ", key);
	if (s)
		put_str(b, s);
	else if (v)
		put_value(st, b, v);
	else if (!strcmp(key, "wheels"))
		put_wheels_inline(st, b, p);
	else
		put_inline_file(st, b, !strcmp(key, "sdist") ? &p->sdist : &p->archive, st->sdist_sep);
	util_buf_putc(b, '\n');
}

void lock_write_package_styled(const struct lock_package *p, const struct lock_style *st, struct util_buf *b)
{
	const char *keys[NSPEC];
	size_t n = key_order(st, p, keys);

	util_buf_puts(b, "[[packages]]\n");
	for (size_t i = 0; i < n; i++)
		if (!is_table_key(st, keys[i]))
			put_key(st, b, p, keys[i]);
	for (size_t i = 0; i < p->nextra; i++) {
		toml_write_key(b, p->extra[i]->key, p->extra[i]->key_len);
		util_buf_puts(b, " = ");
		toml_write_value(b, p->extra[i]->value);
		util_buf_putc(b, '\n');
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_table_key(st, keys[i]))
			continue;
		if (!strcmp(keys[i], "tool"))
			put_tool_tables(st, b, p->tool);
		else if (!strcmp(keys[i], "wheels"))
			for (size_t w = 0; w < p->nwheels; w++)
				put_table_file(st, b, &p->wheels[w], "wheels", true);
		else
			put_table_file(st, b, !strcmp(keys[i], "sdist") ? &p->sdist : &p->archive, keys[i], false);
	}
}
