/* Theme files: YAML maps of role -> {fg, bg, attrs}. */
#include "config.h"
#include "theme.h"

#include <curses.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "yamlconf.h"

static const char *const role_keys[] = {
#define ROLE_KEY(name, key) key,
	ROLES(ROLE_KEY)
#undef ROLE_KEY
};

size_t theme_dirs(const char *dirs[4])
{
	static char user[4200];
	struct pl_error err;
	char *config = util_dir_path(UTIL_DIR_CONFIG, &err);
	size_t n = 0;

	if (config) {
		snprintf(user, sizeof(user), "%s/themes", config);
		free(config);
		dirs[n++] = user;
	}
	dirs[n++] = PYLOCK_THEMES_DIR;
	dirs[n++] = PYLOCK_SOURCE_THEMES_DIR;
	return n;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **theme_names(size_t *n)
{
	const char *dirs[4];
	size_t nd = theme_dirs(dirs);
	char **names = NULL;

	*n = 0;
	for (size_t i = 0; i < nd; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			size_t len = strlen(e->d_name);
			if (len < 6 || len > 64 || strcmp(e->d_name + len - 5, ".yaml") || e->d_name[0] == '.')
				continue;
			char *name = util_xstrndup(e->d_name, len - 5);
			bool dup = false;
			for (size_t k = 0; k < *n && !dup; k++)
				dup = !strcmp(names[k], name);
			if (dup) {
				free(name);
				continue;
			}
			names = util_xrealloc(names, (*n + 1) * sizeof(*names));
			names[(*n)++] = name;
		}
		if (d)
			closedir(d);
	}
	if (*n)
		qsort(names, *n, sizeof(*names), by_name);
	return names;
}

void theme_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void theme_default(struct theme *t)
{
	static const int attrs[ROLE_COUNT] = {
		[ROLE_TITLE] = A_BOLD | A_REVERSE, [ROLE_HEADER] = A_BOLD, [ROLE_FOCUS] = A_BOLD | A_REVERSE, [ROLE_SELECTED] = A_REVERSE,
		[ROLE_SELECTED_DIM] = A_UNDERLINE, [ROLE_TAB_ACTIVE] = A_REVERSE | A_BOLD, [ROLE_STATUS] = A_REVERSE,
		[ROLE_ADDED] = A_BOLD, [ROLE_REMOVED] = A_DIM, [ROLE_SUSPICIOUS] = A_BOLD | A_UNDERLINE,
		[ROLE_UNSIGNED] = A_UNDERLINE, [ROLE_INVALID] = A_BOLD | A_REVERSE, [ROLE_CONFLICT] = A_BOLD | A_UNDERLINE,
		[ROLE_MUTED] = A_DIM,
	};

	snprintf(t->name, sizeof(t->name), "builtin");
	memcpy(t->attr, attrs, sizeof(attrs));
}

static int colour_of(const struct yamlconf_node *v, const char *file, int *out, struct pl_error *err)
{
	static const char *const names[] = { "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white" };
	char *end;

	if (v->kind != YAMLCONF_SCALAR)
		return pl_error_set(err, file, v->line, v->col, "a colour is a name or a number from 0 to 255");
	if (!strcmp(v->scalar, "default")) {
		*out = -1;
		return 0;
	}
	for (int i = 0; i < 8; i++)
		if (!strcmp(v->scalar, names[i])) {
			*out = i;
			return 0;
		}
	if (!strncmp(v->scalar, "bright-", 7))
		for (int i = 0; i < 8; i++)
			if (!strcmp(v->scalar + 7, names[i])) {
				*out = i + 8;
				return 0;
			}
	long n = strtol(v->scalar, &end, 10);
	if (*end || end == v->scalar || n < 0 || n > 255)
		return pl_error_set(err, file, v->line, v->col, "unknown colour '%s' (a name, bright-NAME, default or 0-255)",
				    v->scalar);
	*out = (int)n;
	return 0;
}

static int attrs_of(const struct yamlconf_node *v, const char *file, int *out, struct pl_error *err)
{
	static const struct { const char *name; int attr; } known[] = {
		{ "bold", A_BOLD }, { "dim", A_DIM }, { "underline", A_UNDERLINE }, { "reverse", A_REVERSE },
		{ "standout", A_STANDOUT }, { "italic", A_ITALIC },
	};

	if (v->kind != YAMLCONF_SEQ)
		return pl_error_set(err, file, v->line, v->col, "attrs is a list, e.g. [bold, underline]");
	for (size_t i = 0; i < v->n; i++) {
		const struct yamlconf_node *a = v->items[i];
		size_t k;
		for (k = 0; a->kind == YAMLCONF_SCALAR && k < sizeof(known) / sizeof(*known); k++)
			if (!strcmp(a->scalar, known[k].name))
				break;
		if (a->kind != YAMLCONF_SCALAR || k == sizeof(known) / sizeof(*known))
			return pl_error_set(err, file, a->line, a->col, "unknown attribute (bold, dim, underline, reverse, "
					    "standout, italic)");
		*out |= known[k].attr;
	}
	return 0;
}

/* A colour the terminal cannot show falls back to its 8-colour twin, given
 * as fg8/bg8, else to the basic colour nearest by index. */
static int fit(int c, int fallback)
{
	if (c < COLORS)
		return c;
	if (fallback >= 0 && fallback < COLORS)
		return fallback;
	return c < 16 ? c % 8 : -1;
}

static int apply_role(const struct yamlconf_node *spec, const char *file, int role, bool colour, struct theme *t,
		      struct pl_error *err)
{
	int fg = -1, bg = -1, fg8 = -1, bg8 = -1, attr = 0;

	if (spec->kind != YAMLCONF_MAP)
		return pl_error_set(err, file, spec->line, spec->col, "a role is a map of fg, bg, fg8, bg8, attrs");
	for (size_t i = 0; i + 1 < spec->n; i += 2) {
		const struct yamlconf_node *k = spec->items[i], *v = spec->items[i + 1];
		int rc = !strcmp(k->scalar, "fg") ? colour_of(v, file, &fg, err)
			: !strcmp(k->scalar, "bg") ? colour_of(v, file, &bg, err)
			: !strcmp(k->scalar, "fg8") ? colour_of(v, file, &fg8, err)
			: !strcmp(k->scalar, "bg8") ? colour_of(v, file, &bg8, err)
			: !strcmp(k->scalar, "attrs") ? attrs_of(v, file, &attr, err)
			: pl_error_set(err, file, k->line, k->col, "unknown key '%s' (fg, bg, fg8, bg8, attrs)", k->scalar);
		if (rc < 0)
			return -1;
	}
	if (colour && (fg >= 0 || bg >= 0)) {
		init_pair((short)(role + 1), (short)fit(fg, fg8), (short)fit(bg, bg8));
		attr |= COLOR_PAIR(role + 1);
	} else if (fg >= 0 || bg >= 0) {
		/* What the colours told apart, attributes must. */
		attr |= t->attr[role];
	}
	t->attr[role] = attr;
	return 0;
}

int theme_load(const char *name, bool colour, struct theme *t, struct pl_error *err)
{
	const char *dirs[4];
	size_t nd = theme_dirs(dirs);
	struct yamlconf_node *root = NULL;
	char path[4300];
	int rc = 1;

	if (!name[0] || strchr(name, '/') || name[0] == '.')
		return pl_error_set(err, NULL, 0, 0, "'%s' is not a theme name", name);
	for (size_t i = 0; i < nd && rc == 1; i++) {
		snprintf(path, sizeof(path), "%s/%s.yaml", dirs[i], name);
		rc = yamlconf_load_file(path, &root, err);
	}
	if (rc == 1)
		return pl_error_set(err, NULL, 0, 0, "no theme '%s' in %s, %s or %s", name, dirs[0], dirs[1],
				    nd > 2 ? dirs[2] : "");
	if (rc < 0)
		return -1;
	theme_default(t);
	snprintf(t->name, sizeof(t->name), "%s", name);
	const struct yamlconf_node *roles = yamlconf_get(root, "roles");
	if (root->kind != YAMLCONF_MAP || !roles || roles->kind != YAMLCONF_MAP) {
		rc = pl_error_set(err, path, root->line, root->col, "a theme is a map with 'roles:'");
		goto out;
	}
	for (size_t i = 0; i + 1 < root->n; i += 2) {
		const struct yamlconf_node *k = root->items[i], *v = root->items[i + 1];
		if (!strcmp(k->scalar, "background") &&
		    (v->kind != YAMLCONF_SCALAR || (strcmp(v->scalar, "dark") && strcmp(v->scalar, "light")))) {
			rc = pl_error_set(err, path, v->line, v->col, "background is dark or light");
			goto out;
		}
		if (strcmp(k->scalar, "roles") && strcmp(k->scalar, "description") && strcmp(k->scalar, "background")) {
			rc = pl_error_set(err, path, k->line, k->col, "unknown key '%s' (roles, description, background)",
					  k->scalar);
			goto out;
		}
	}
	rc = 0;
	for (size_t i = 0; i + 1 < roles->n && rc == 0; i += 2) {
		const struct yamlconf_node *k = roles->items[i];
		int role;
		for (role = 0; role < ROLE_COUNT; role++)
			if (!strcmp(k->scalar, role_keys[role]))
				break;
		if (role == ROLE_COUNT)
			rc = pl_error_set(err, path, k->line, k->col, "unknown role '%s'", k->scalar);
		else
			rc = apply_role(roles->items[i + 1], path, role, colour, t, err);
	}
out:
	yamlconf_free(root);
	return rc;
}
