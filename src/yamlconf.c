/* YAML through libyaml's event API into struct yamlconf_node, and the
 * config.yaml schema as a table of keys (in the spirit of tmux's options
 * table: adding a setting is one row). */
#include "config.h"
#include "yamlconf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct builder {
	yaml_parser_t parser;
	const char *text;
	size_t len;
	const char *name;
	struct pl_error *err;
	size_t nodes;
};

static struct yamlconf_node *node_new(struct builder *b, enum yamlconf_kind kind, const yaml_event_t *ev)
{
	struct yamlconf_node *n = util_xcalloc(1, sizeof(*n));

	b->nodes++;
	n->kind = kind;
	n->line = (int)ev->start_mark.line + 1;
	n->col = (int)ev->start_mark.column + 1;
	return n;
}

/* Maps past this many keys get a hash index: a hostile file of 100,000
 * keys stays linear to read and to look up. */
#define INDEX_FROM 16

static size_t key_slot(const struct yamlconf_node *map, const char *key)
{
	size_t mask = map->index_cap - 1, i = (size_t)util_hash_str(key) & mask;

	while (map->index[i] && strcmp(map->items[2 * (map->index[i] - 1)]->scalar, key))
		i = (i + 1) & mask;
	return i;
}

static void index_key(struct yamlconf_node *map, size_t key_number)
{
	map->index[key_slot(map, map->items[2 * key_number]->scalar)] = (uint32_t)key_number + 1;
}

/* Called when the map holds keys keys (its last one just added). */
static void index_grow(struct yamlconf_node *map, size_t keys)
{
	if (keys < INDEX_FROM)
		return;
	if (map->index && keys * 2 <= map->index_cap) {
		index_key(map, keys - 1);
		return;
	}
	free(map->index);
	map->index_cap = map->index_cap ? map->index_cap * 2 : 64;
	map->index = util_xcalloc(map->index_cap, sizeof(*map->index));
	for (size_t k = 0; k < keys; k++)
		index_key(map, k);
}

static void node_add(struct yamlconf_node *parent, struct yamlconf_node *child)
{
	if (parent->n == parent->cap) {
		parent->cap = parent->cap ? parent->cap * 2 : 4;
		parent->items = util_xrealloc(parent->items, parent->cap * sizeof(*parent->items));
	}
	parent->items[parent->n++] = child;
	if (parent->kind == YAMLCONF_MAP && parent->n % 2 == 0)
		index_grow(parent, parent->n / 2);
}

static int parser_fail(struct builder *b)
{
	const char *what = b->parser.problem ? b->parser.problem : "malformed YAML";
	int line = (int)b->parser.problem_mark.line + 1, col = (int)b->parser.problem_mark.column + 1;

	/* The reader (encoding) errors give a byte offset, not a mark. */
	if (b->parser.error == YAML_READER_ERROR) {
		size_t at = b->parser.problem_offset < b->len ? b->parser.problem_offset : b->len;
		line = col = 1;
		for (size_t i = 0; i < at; i++, col++)
			if (b->text[i] == '\n') {
				line++;
				col = 0;
			}
	}
	return pl_error_set(b->err, b->name, line, col, "%s", what);
}

/* Reads one node whose first event is ev (already taken). */
static struct yamlconf_node *read_node(struct builder *b, yaml_event_t *ev, int depth)
{
	struct yamlconf_node *n = NULL;
	yaml_event_type_t end;

	if (depth > YAMLCONF_MAX_DEPTH || b->nodes >= YAMLCONF_MAX_NODES) {
		pl_error_set(b->err, b->name, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
			     depth > YAMLCONF_MAX_DEPTH ? "nested too deeply" : "too many values");
		return NULL;
	}
	/* A tag would change what a value means (!!binary, !!python/...): pylock
	 * reads plain values only, and says so rather than ignore it. */
	const yaml_char_t *tag = ev->type == YAML_SCALAR_EVENT ? ev->data.scalar.tag :
				 ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.tag :
				 ev->type == YAML_MAPPING_START_EVENT ? ev->data.mapping_start.tag : NULL;
	if (tag) {
		pl_error_set(b->err, b->name, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
			     "YAML tags are not allowed (%.40s)", (const char *)tag);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = node_new(b, YAMLCONF_SCALAR, ev);
		n->scalar = util_xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		if (strlen(n->scalar) != ev->data.scalar.length) {
			pl_error_set(b->err, b->name, n->line, n->col, "NUL character in a value");
			yamlconf_free(n);
			return NULL;
		}
		return n;
	case YAML_ALIAS_EVENT:
		pl_error_set(b->err, b->name, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
			     "YAML aliases are not allowed here");
		return NULL;
	case YAML_SEQUENCE_START_EVENT:
		n = node_new(b, YAMLCONF_SEQ, ev);
		end = YAML_SEQUENCE_END_EVENT;
		break;
	case YAML_MAPPING_START_EVENT:
		n = node_new(b, YAMLCONF_MAP, ev);
		end = YAML_MAPPING_END_EVENT;
		break;
	default:
		pl_error_set(b->err, b->name, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
			     "unexpected YAML event");
		return NULL;
	}
	for (;;) {
		yaml_event_t child;
		struct yamlconf_node *c;

		if (!yaml_parser_parse(&b->parser, &child)) {
			parser_fail(b);
			yamlconf_free(n);
			return NULL;
		}
		if (child.type == end) {
			yaml_event_delete(&child);
			return n;
		}
		c = read_node(b, &child, depth + 1);
		yaml_event_delete(&child);
		if (!c) {
			yamlconf_free(n);
			return NULL;
		}
		if (n->kind == YAMLCONF_MAP && n->n % 2 == 0) {
			if (c->kind != YAMLCONF_SCALAR) {
				pl_error_set(b->err, b->name, c->line, c->col, "a key must be a plain value");
				yamlconf_free(c);
				yamlconf_free(n);
				return NULL;
			}
			if (yamlconf_get(n, c->scalar)) {
				pl_error_set(b->err, b->name, c->line, c->col, "key '%s' is given twice", c->scalar);
				yamlconf_free(c);
				yamlconf_free(n);
				return NULL;
			}
		}
		node_add(n, c);
	}
}

struct yamlconf_node *yamlconf_parse(const char *text, size_t len, const char *name,
				     struct pl_error *err)
{
	struct builder b = { .text = text, .len = len, .name = name, .err = err };
	struct yamlconf_node *root = NULL;
	yaml_event_t ev;

	yaml_parser_initialize(&b.parser);
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
	/* STREAM-START, then DOCUMENT-START or STREAM-END (empty file). */
	for (;;) {
		if (!yaml_parser_parse(&b.parser, &ev)) {
			parser_fail(&b);
			goto out;
		}
		yaml_event_type_t type = ev.type;
		if (type == YAML_STREAM_START_EVENT || type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if (type == YAML_STREAM_END_EVENT || type == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&ev);
			if (!root) {
				root = util_xcalloc(1, sizeof(*root));
				root->kind = YAMLCONF_MAP;
				root->line = root->col = 1;
			}
			if (type == YAML_STREAM_END_EVENT)
				break;
			continue;
		}
		if (root) {
			pl_error_set(err, name, (int)ev.start_mark.line + 1, 1, "only one YAML document is allowed");
			yaml_event_delete(&ev);
			yamlconf_free(root);
			root = NULL;
			goto out;
		}
		root = read_node(&b, &ev, 0);
		yaml_event_delete(&ev);
		if (!root)
			goto out;
	}
out:
	yaml_parser_delete(&b.parser);
	return root;
}

void yamlconf_free(struct yamlconf_node *node)
{
	if (!node)
		return;
	for (size_t i = 0; i < node->n; i++)
		yamlconf_free(node->items[i]);
	free(node->items);
	free(node->index);
	free(node->scalar);
	free(node);
}

int yamlconf_load_file(const char *path, struct yamlconf_node **root, struct pl_error *err)
{
	char *text;
	size_t len;

	*root = NULL;
	if (util_read_file(path, YAMLCONF_MAX_SIZE, &text, &len, err) < 0)
		return errno == ENOENT ? 1 : -1;
	*root = yamlconf_parse(text, len, path, err);
	free(text);
	return *root ? 0 : -1;
}

const struct yamlconf_node *yamlconf_get(const struct yamlconf_node *map, const char *key)
{
	if (!map || map->kind != YAMLCONF_MAP)
		return NULL;
	if (map->index) {
		uint32_t k = map->index[key_slot(map, key)];
		return k && 2 * (size_t)k <= map->n ? map->items[2 * (k - 1) + 1] : NULL;
	}
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (!strcmp(map->items[i]->scalar, key))
			return map->items[i + 1];
	return NULL;
}

/* ---- config.yaml ---- */

static char *expand_home(const char *path)
{
	struct util_buf b = UTIL_BUF_INIT;
	const char *home = getenv("HOME");

	if (path[0] == '~' && (path[1] == '/' || !path[1]) && home) {
		util_buf_puts(&b, home);
		util_buf_puts(&b, path + 1);
		return util_buf_steal(&b);
	}
	return util_xstrdup(path);
}

/* A list of non-empty strings; paths get ~ expanded. */
static int set_list(const struct yamlconf_node *v, const char *file, const char *key, bool paths,
		    struct yamlconf_list *out, struct pl_error *err)
{
	if (v->kind != YAMLCONF_SEQ)
		return pl_error_set(err, file, v->line, v->col, "'%s' must be a list", key);
	for (size_t i = 0; i < v->n; i++) {
		const struct yamlconf_node *item = v->items[i];

		if (item->kind != YAMLCONF_SCALAR || !item->scalar[0] || strlen(item->scalar) >= PATH_MAX)
			return pl_error_set(err, file, item->line, item->col, "each entry of '%s' must be a %s",
					    key, paths ? "path" : "name");
		out->items = util_xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
		out->lines = util_xrealloc(out->lines, (out->n + 1) * sizeof(*out->lines));
		out->cols = util_xrealloc(out->cols, (out->n + 1) * sizeof(*out->cols));
		out->lines[out->n] = item->line;
		out->cols[out->n] = item->col;
		out->items[out->n++] = paths ? expand_home(item->scalar) : util_xstrdup(item->scalar);
	}
	return 0;
}

static void list_free(struct yamlconf_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	free(l->lines);
	free(l->cols);
	l->items = NULL;
	l->lines = l->cols = NULL;
	l->n = 0;
}

static int set_roots(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		     struct pl_error *err)
{
	return set_list(v, file, "roots", true, &cfg->roots, err);
}

/* A whole number in [min, max]. */
static int number(const struct yamlconf_node *v, const char *file, const char *key, long min, long max,
		  long *out, struct pl_error *err)
{
	char *end;
	long n;

	if (v->kind != YAMLCONF_SCALAR || v->quoted)
		return pl_error_set(err, file, v->line, v->col, "'%s' must be a number", key);
	errno = 0;
	n = strtol(v->scalar, &end, 10);
	if (errno || *end || end == v->scalar || n < min || n > max)
		return pl_error_set(err, file, v->line, v->col, "'%s' must be a whole number from %ld to %ld",
				    key, min, max);
	*out = n;
	return 0;
}

static int set_depth(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		     struct pl_error *err)
{
	long n;

	if (number(v, file, "depth", 0, 64, &n, err) < 0)
		return -1;
	cfg->depth = (int)n;
	return 0;
}

/* One path. */
static int path_setting(const struct yamlconf_node *v, const char *file, const char *key, char **out,
			struct pl_error *err)
{
	if (v->kind != YAMLCONF_SCALAR || !v->scalar[0] || strlen(v->scalar) >= PATH_MAX)
		return pl_error_set(err, file, v->line, v->col, "'%s' must be a path", key);
	free(*out);
	*out = expand_home(v->scalar);
	return 0;
}

static int set_ca_file(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		       struct pl_error *err)
{
	return path_setting(v, file, "ca-file", &cfg->ca_file, err);
}

static int set_fetch_hosts(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
			   struct pl_error *err)
{
	list_free(&cfg->fetch_hosts);
	cfg->fetch_hosts_set = true;
	return set_list(v, file, "hosts", false, &cfg->fetch_hosts, err);
}

static int set_python(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		      struct pl_error *err)
{
	return path_setting(v, file, "python", &cfg->python, err);
}

static int set_theme(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		     struct pl_error *err)
{
	if (v->kind != YAMLCONF_SCALAR || !v->scalar[0] || strlen(v->scalar) > 63 || strchr(v->scalar, '/'))
		return pl_error_set(err, file, v->line, v->col, "'theme' must be a theme's name");
	free(cfg->theme);
	cfg->theme = util_xstrdup(v->scalar);
	return 0;
}

static int set_timeout(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		       struct pl_error *err)
{
	return number(v, file, "timeout", 1, 3600, &cfg->fetch_timeout, err);
}

static int set_deadline(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
			struct pl_error *err)
{
	return number(v, file, "deadline", 1, 86400, &cfg->fetch_deadline, err);
}

static int set_network(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		       struct pl_error *err)
{
	static const char *const off[] = { "off", "false", "no" }, *const on[] = { "on", "true", "yes" };

	for (size_t i = 0; v->kind == YAMLCONF_SCALAR && i < 3; i++) {
		if (!strcmp(v->scalar, off[i])) {
			cfg->net_off = true;
			return 0;
		}
		if (!strcmp(v->scalar, on[i])) {
			cfg->net_off = false;
			return 0;
		}
	}
	return pl_error_set(err, file, v->line, v->col, "'network' must be on or off");
}

/* A size in bytes: a whole number with an optional K, M, G or T (powers
 * of 1024). */
static int size_setting(const struct yamlconf_node *v, const char *file, const char *key, long long min,
			long long *out, struct pl_error *err)
{
	static const char units[] = "KMGT";
	char *end;
	long long n;

	errno = 0;
	n = v->kind == YAMLCONF_SCALAR ? strtoll(v->scalar, &end, 10) : -1;
	if (n >= 0 && !errno && end != v->scalar) {
		const char *u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
		int shift = u ? 10 * (int)(u - units + 1) : 0;
		if ((!*end || (u && !end[1])) && n <= (LLONG_MAX >> shift) && (n << shift) >= min) {
			*out = n << shift;
			return 0;
		}
	}
	return pl_error_set(err, file, v->line, v->col, "'%s' must be a size of at least %lld bytes (e.g. 512M, 2G)",
			    key, min);
}

static int set_tmpfs_size(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
			  struct pl_error *err)
{
	return size_setting(v, file, "tmpfs-size", 1 << 20, &cfg->tmpfs_size, err);
}

static int set_memory(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		      struct pl_error *err)
{
	return size_setting(v, file, "memory", 64 << 20, &cfg->memory, err);
}

static int set_processes(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
			 struct pl_error *err)
{
	return number(v, file, "processes", 8, 1 << 22, &cfg->processes, err);
}

static int set_binds(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		     struct pl_error *err)
{
	return set_list(v, file, "binds", true, &cfg->binds, err);
}

static int set_ro_binds(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
			struct pl_error *err)
{
	return set_list(v, file, "ro-binds", true, &cfg->ro_binds, err);
}

static int set_dotfiles(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
			struct pl_error *err)
{
	return set_list(v, file, "dotfiles", false, &cfg->dotfiles, err);
}

static int set_env(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		   struct pl_error *err)
{
	return set_list(v, file, "env", false, &cfg->env, err);
}

typedef int (*setter)(const struct yamlconf_node *, const char *, struct yamlconf_config *,
		      struct pl_error *);

struct setting {
	const char *key;
	setter set;
};

static int set_sandbox(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		       struct pl_error *err);
static int set_fetch(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		     struct pl_error *err);

/* Every setting of config.yaml: one row each. */
static const struct setting top_settings[] = {
	{ "roots", set_roots },
	{ "depth", set_depth },
	{ "sandbox", set_sandbox },
	{ "fetch", set_fetch },
	{ "python", set_python },
	{ "theme", set_theme },
	{ NULL, NULL },
};

static const struct setting fetch_settings[] = {
	{ "hosts", set_fetch_hosts },
	{ "ca-file", set_ca_file },
	{ "timeout", set_timeout },
	{ "deadline", set_deadline },
	{ NULL, NULL },
};

static const struct setting sandbox_settings[] = {
	{ "network", set_network },
	{ "binds", set_binds },
	{ "ro-binds", set_ro_binds },
	{ "dotfiles", set_dotfiles },
	{ "env", set_env },
	{ "tmpfs-size", set_tmpfs_size },
	{ "processes", set_processes },
	{ "memory", set_memory },
	{ NULL, NULL },
};

static int apply(const struct yamlconf_node *map, const char *file, const char *what,
		 const struct setting *table, struct yamlconf_config *cfg, struct pl_error *err)
{
	if (map->kind != YAMLCONF_MAP)
		return pl_error_set(err, file, map->line, map->col, "%s must be a map of settings", what);
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct yamlconf_node *k = map->items[i];
		const struct setting *s = table;

		while (s->key && strcmp(s->key, k->scalar))
			s++;
		if (!s->key)
			return pl_error_set(err, file, k->line, k->col, "unknown setting '%s'", k->scalar);
		if (s->set(map->items[i + 1], file, cfg, err) < 0)
			return -1;
	}
	return 0;
}

static int set_sandbox(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		       struct pl_error *err)
{
	return apply(v, file, "'sandbox'", sandbox_settings, cfg, err);
}

static int set_fetch(const struct yamlconf_node *v, const char *file, struct yamlconf_config *cfg,
		     struct pl_error *err)
{
	return apply(v, file, "'fetch'", fetch_settings, cfg, err);
}

static void config_defaults(struct yamlconf_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->depth = CONFIG_DEFAULT_DEPTH;
	cfg->tmpfs_size = CONFIG_DEFAULT_TMPFS_SIZE;
	cfg->processes = CONFIG_DEFAULT_PROCESSES;
}

int yamlconf_config_load(const char *path, struct yamlconf_config *cfg, struct pl_error *err)
{
	struct yamlconf_node *root;
	int rc;

	config_defaults(cfg);
	if ((rc = yamlconf_load_file(path, &root, err)) != 0)
		return rc > 0 ? 0 : -1;
	cfg->path = util_xstrdup(path);
	rc = apply(root, path, "config", top_settings, cfg, err);
	yamlconf_free(root);
	if (rc < 0)
		yamlconf_config_fini(cfg);
	return rc;
}

int yamlconf_config_load_default(struct yamlconf_config *cfg, struct pl_error *err)
{
	char *path = util_dir_file(UTIL_DIR_CONFIG, "config.yaml", err);
	int rc;

	if (!path) {
		config_defaults(cfg);
		return -1;
	}
	rc = yamlconf_config_load(path, cfg, err);
	free(path);
	return rc;
}

void yamlconf_config_fini(struct yamlconf_config *cfg)
{
	list_free(&cfg->roots);
	list_free(&cfg->binds);
	list_free(&cfg->ro_binds);
	list_free(&cfg->dotfiles);
	list_free(&cfg->env);
	list_free(&cfg->fetch_hosts);
	free(cfg->ca_file);
	free(cfg->python);
	free(cfg->theme);
	free(cfg->path);
	cfg->ca_file = cfg->python = cfg->theme = cfg->path = NULL;
}
