/* yamlconf: pylock's YAML files (config.yaml; later policy.yaml and themes)
 * read with libyaml into a small tree that keeps line:column, then checked
 * against tables of known keys. Aliases are refused (no billion laughs). */
#ifndef PYLOCK_YAMLCONF_H
#define PYLOCK_YAMLCONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "util.h"

#define YAMLCONF_MAX_SIZE (1u << 20)
#define YAMLCONF_MAX_DEPTH 32
#define YAMLCONF_MAX_NODES 100000

enum yamlconf_kind { YAMLCONF_SCALAR, YAMLCONF_SEQ, YAMLCONF_MAP };

struct yamlconf_node {
	enum yamlconf_kind kind;
	int line, col;			/* 1-based */
	char *scalar;			/* YAMLCONF_SCALAR */
	bool quoted;			/* a quoted scalar is always a string */
	struct yamlconf_node **items;	/* SEQ: items; MAP: key, value, key, value... */
	size_t n, cap;
	uint32_t *index;		/* MAP of many keys: open-addressed key numbers + 1 */
	size_t index_cap;
};

/* Parses text; name is used in errors. An empty document gives an empty
 * map. Returns NULL with err (file:line:col) on malformed YAML. */
struct yamlconf_node *yamlconf_parse(const char *text, size_t len, const char *name,
				     struct pl_error *err);
void yamlconf_free(struct yamlconf_node *node);
/* Reads and parses a YAML file. Returns 1 (and *root NULL) when it does not
 * exist, 0 with *root, -1 with err. */
int yamlconf_load_file(const char *path, struct yamlconf_node **root, struct pl_error *err);
/* The value of key in a map, NULL when absent. */
const struct yamlconf_node *yamlconf_get(const struct yamlconf_node *map, const char *key);

/* pylock's config.yaml. */
#define CONFIG_DEFAULT_DEPTH 5
#define CONFIG_DEFAULT_TMPFS_SIZE (1LL << 30)
#define CONFIG_DEFAULT_PROCESSES 4096

struct yamlconf_list {
	char **items;
	int *lines, *cols;	/* where each item is in the file */
	size_t n;
};

struct yamlconf_config {
	char *path;			/* the file read; NULL: defaults only */
	struct yamlconf_list roots;	/* ~ expanded */
	int depth;			/* how deep discovery walks below a root */
	char *python;			/* interpreter (path or command); NULL: python3 */
	char *theme;			/* the UI's theme name; NULL: default */
	/* sandbox: */
	bool net_off;			/* network: off */
	struct yamlconf_list binds;	/* "SRC[:DST]", ~ expanded */
	struct yamlconf_list ro_binds;
	struct yamlconf_list dotfiles;	/* names under $HOME passed read-only */
	struct yamlconf_list env;	/* variables kept, NAME_* patterns allowed */
	long long tmpfs_size;		/* each writable tmpfs, bytes */
	long processes;			/* at most, at once */
	long long memory;		/* address space of each process, bytes; 0: unbounded */
	/* fetch: */
	struct yamlconf_list fetch_hosts;	/* https hosts pylock may fetch from, besides the policy's registries */
	bool fetch_hosts_set;		/* false: the default (PyPI's two hosts) */
	char *ca_file;			/* NULL: the system's CA store */
	long fetch_timeout;		/* seconds without progress; 0: the default */
	long fetch_deadline;		/* seconds a request may take; 0: the default */
};

/* Reads path into cfg; a missing file gives the defaults. Unknown keys and
 * wrong types are errors with line:column. */
int yamlconf_config_load(const char *path, struct yamlconf_config *cfg, struct pl_error *err);
/* config.yaml in pylock's config folder (PYLOCK_HOME or XDG). */
int yamlconf_config_load_default(struct yamlconf_config *cfg, struct pl_error *err);
void yamlconf_config_fini(struct yamlconf_config *cfg);

#endif
