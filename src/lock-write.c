/* Writing pylock.toml: the spec's key order, one block per package, each
 * file on one line, so a change to one package changes only its lines. */
#include "config.h"
#include "lock.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pep440.h"

static void put_string(struct util_buf *b, const char *key, const char *value)
{
	if (!value)
		return;
	util_buf_puts(b, key);
	util_buf_puts(b, " = ");
	toml_write_string(b, value, strlen(value));
	util_buf_putc(b, '\n');
}

/* key = value, on one line. */
static void put_pair(struct util_buf *b, const char *key, size_t len, const struct toml_value *v)
{
	toml_write_key(b, key, len);
	util_buf_puts(b, " = ");
	toml_write_value(b, v);
	util_buf_putc(b, '\n');
}

static void put_value(struct util_buf *b, const char *key, const struct toml_value *v)
{
	if (v)
		put_pair(b, key, strlen(key), v);
}

static void put_extra(struct util_buf *b, const struct toml_pair *const *extra, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_pair(b, extra[i]->key, extra[i]->key_len, extra[i]->value);
}

/* An array of tables, one inline table per line. */
static void put_table_array(struct util_buf *b, const char *key, const struct toml_value *a)
{
	if (!a)
		return;
	util_buf_printf(b, "%s = [\n", key);
	for (size_t i = 0; i < a->u.array.len; i++) {
		util_buf_puts(b, "    ");
		toml_write_value(b, a->u.array.items[i]);
		util_buf_puts(b, ",\n");
	}
	util_buf_puts(b, "]\n");
}

static void put_field(struct util_buf *b, bool *first, const char *key)
{
	util_buf_puts(b, *first ? " " : ", ");
	*first = false;
	util_buf_puts(b, key);
	util_buf_puts(b, " = ");
}

static void put_file(struct util_buf *b, const struct lock_file *f)
{
	bool first = true;

	util_buf_putc(b, '{');
	if (f->name_written) {
		put_field(b, &first, "name");
		toml_write_string(b, f->name, strlen(f->name));
	}
	if (f->has_upload_time) {
		put_field(b, &first, "upload-time");
		toml_write_datetime(b, f->upload_time_type, &f->upload_time);
	}
	if (f->url) {
		put_field(b, &first, "url");
		toml_write_string(b, f->url, strlen(f->url));
	}
	if (f->path) {
		put_field(b, &first, "path");
		toml_write_string(b, f->path, strlen(f->path));
	}
	if (f->size >= 0) {
		put_field(b, &first, "size");
		toml_write_integer(b, f->size);
	}
	put_field(b, &first, "hashes");
	util_buf_puts(b, "{ ");
	for (size_t i = 0; i < f->nhashes; i++) {
		if (i)
			util_buf_puts(b, ", ");
		toml_write_key(b, f->hashes[i].algo, strlen(f->hashes[i].algo));
		util_buf_puts(b, " = ");
		toml_write_string(b, f->hashes[i].value, strlen(f->hashes[i].value));
	}
	util_buf_puts(b, " }");
	if (f->subdirectory) {
		put_field(b, &first, "subdirectory");
		toml_write_string(b, f->subdirectory, strlen(f->subdirectory));
	}
	for (size_t i = 0; i < f->nextra; i++) {
		util_buf_puts(b, ", ");
		toml_write_key(b, f->extra[i]->key, f->extra[i]->key_len);
		util_buf_puts(b, " = ");
		toml_write_value(b, f->extra[i]->value);
	}
	util_buf_puts(b, " }");
}

static void put_package(struct util_buf *b, const struct lock_package *p)
{
	util_buf_puts(b, "\n[[packages]]\n");
	put_string(b, "name", p->name);
	put_string(b, "version", p->version);
	put_string(b, "marker", p->marker);
	put_string(b, "requires-python", p->requires_python);
	put_table_array(b, "dependencies", p->dependencies);
	put_string(b, "index", p->index);
	put_value(b, "vcs", p->vcs);
	put_value(b, "directory", p->directory);
	if (p->has_archive) {
		util_buf_puts(b, "archive = ");
		put_file(b, &p->archive);
		util_buf_putc(b, '\n');
	}
	if (p->has_sdist) {
		util_buf_puts(b, "sdist = ");
		put_file(b, &p->sdist);
		util_buf_putc(b, '\n');
	}
	if (p->wheels) {
		util_buf_puts(b, "wheels = [\n");
		for (size_t i = 0; i < p->nwheels; i++) {
			util_buf_puts(b, "    ");
			put_file(b, &p->wheels[i]);
			util_buf_puts(b, ",\n");
		}
		util_buf_puts(b, "]\n");
	}
	put_table_array(b, "attestation-identities", p->attestation_identities);
	put_value(b, "tool", p->tool);
	put_extra(b, p->extra, p->nextra);
}

/* [tool] as sections: plain keys first, then one [header] per sub-table. */
static void put_sections(struct util_buf *b, struct util_buf *prefix, const struct toml_value *t)
{
	util_buf_printf(b, "\n[%s]\n", util_buf_str(prefix));
	for (size_t i = 0; i < t->u.table.len; i++) {
		const struct toml_pair *pr = &t->u.table.items[i];

		if (pr->value->type != TOML_TABLE)
			put_pair(b, pr->key, pr->key_len, pr->value);
	}
	for (size_t i = 0; i < t->u.table.len; i++) {
		const struct toml_pair *pr = &t->u.table.items[i];
		size_t len = prefix->len;

		if (pr->value->type != TOML_TABLE)
			continue;
		util_buf_putc(prefix, '.');
		toml_write_key(prefix, pr->key, pr->key_len);
		put_sections(b, prefix, pr->value);
		util_buf_truncate(prefix, len);
	}
}

struct sort_entry {
	const struct lock_package *p;
	struct pep440_version v;
	bool has_v;
};

static int compare_entries(const void *x, const void *y)
{
	const struct sort_entry *a = x, *b = y;
	int r = strcmp(a->p->norm_name, b->p->norm_name);

	if (r)
		return r;
	if (a->has_v && b->has_v && (r = pep440_compare(&a->v, &b->v)))
		return r;
	if (a->has_v != b->has_v)
		return a->has_v ? 1 : -1;
	return strcmp(a->p->marker ? a->p->marker : "", b->p->marker ? b->p->marker : "");
}

void lock_write_top(const struct lock *lock, const char *key, struct util_buf *b)
{
	if (!strcmp(key, "lock-version"))
		put_string(b, key, lock->lock_version);
	else if (!strcmp(key, "environments"))
		put_value(b, key, lock->environments);
	else if (!strcmp(key, "requires-python"))
		put_string(b, key, lock->requires_python);
	else if (!strcmp(key, "extras"))
		put_value(b, key, lock->extras);
	else if (!strcmp(key, "dependency-groups"))
		put_value(b, key, lock->dependency_groups);
	else if (!strcmp(key, "default-groups"))
		put_value(b, key, lock->default_groups);
	else if (!strcmp(key, "created-by"))
		put_string(b, key, lock->created_by);
}

const char *const lock_top_keys[] = {
	"lock-version", "environments", "requires-python", "extras", "dependency-groups",
	"default-groups", "created-by", NULL,
};

void lock_write_package(const struct lock_package *p, struct util_buf *b)
{
	put_package(b, p);
}

void lock_write_unknown(const struct lock *lock, struct util_buf *b)
{
	put_extra(b, lock->extra, lock->nextra);
}

void lock_write_tool(const struct lock *lock, struct util_buf *b)
{
	if (lock->tool) {
		struct util_buf prefix = UTIL_BUF_INIT;

		util_buf_puts(&prefix, "tool");
		put_sections(b, &prefix, lock->tool);
		util_buf_free(&prefix);
	}
}

void lock_write_tool_of(const struct lock *lock, const char *tool, struct util_buf *b)
{
	const struct toml_value *t = toml_get(lock->tool, tool);

	/* A value that is no table (an array of tables, say) is a key of [tool]. */
	if (t && t->type != TOML_TABLE) {
		util_buf_puts(b, "\n[tool]\n");
		put_pair(b, tool, strlen(tool), t);
	} else if (t) {
		struct util_buf prefix = UTIL_BUF_INIT;

		util_buf_puts(&prefix, "tool.");
		toml_write_key(&prefix, tool, strlen(tool));
		put_sections(b, &prefix, t);
		util_buf_free(&prefix);
	}
}

int lock_package_order(const struct lock_package *a, const struct lock_package *b)
{
	struct sort_entry x = { a, { 0 }, false }, y = { b, { 0 }, false };
	const char *why;

	x.has_v = a->version && pep440_parse(a->version, &x.v, &why) == 0;
	y.has_v = b->version && pep440_parse(b->version, &y.v, &why) == 0;
	return compare_entries(&x, &y);
}

void lock_write(const struct lock *lock, struct util_buf *b)
{
	struct sort_entry *order = util_xcalloc(lock->npackages, sizeof(*order));

	for (size_t i = 0; lock_top_keys[i]; i++)
		lock_write_top(lock, lock_top_keys[i], b);
	lock_write_unknown(lock, b);
	for (size_t i = 0; i < lock->npackages; i++) {
		const char *why;

		order[i].p = &lock->packages[i];
		order[i].has_v = lock->packages[i].version &&
				 pep440_parse(lock->packages[i].version, &order[i].v, &why) == 0;
	}
	if (lock->npackages > 1)
		qsort(order, lock->npackages, sizeof(*order), compare_entries);
	for (size_t i = 0; i < lock->npackages; i++)
		put_package(b, order[i].p);
	free(order);
	lock_write_tool(lock, b);
}
