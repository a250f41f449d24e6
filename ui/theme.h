/* Colour themes: roles, not colours (after tig's line types). A theme in
 * themes/NAME.yaml maps each role to colours and attributes; views only ask
 * for a role. Loaded with libyaml (src/yamlconf). */
#ifndef PYLOCK_UI_THEME_H
#define PYLOCK_UI_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define ROLES(ROLE) \
	ROLE(NORMAL, "normal") \
	ROLE(TITLE, "title") \
	ROLE(HEADER, "header") \
	ROLE(FOCUS, "focus") \
	ROLE(SELECTED, "selected") \
	ROLE(SELECTED_DIM, "selected-unfocused") \
	ROLE(TAB, "tab") \
	ROLE(TAB_ACTIVE, "tab-active") \
	ROLE(STATUS, "status") \
	ROLE(ADDED, "added") \
	ROLE(REMOVED, "removed") \
	ROLE(CHANGED, "changed") \
	ROLE(SUSPICIOUS, "suspicious") \
	ROLE(VERIFIED, "verified") \
	ROLE(UNSIGNED, "unsigned") \
	ROLE(INVALID, "invalid") \
	ROLE(CONFLICT, "conflict") \
	ROLE(MUTED, "muted")

enum role {
#define ROLE_ENUM(name, key) ROLE_##name,
	ROLES(ROLE_ENUM)
#undef ROLE_ENUM
	ROLE_COUNT
};

struct theme {
	char name[64];
	int attr[ROLE_COUNT];	/* curses attributes, colour pair included */
};

/* Folders searched for themes, in order: ~/.config/pylock/themes, the
 * installed data folder, the source tree's themes/ (uninstalled runs). */
size_t theme_dirs(const char *dirs[4]);
/* The names of every theme found (sorted, each once); free with theme_names_free. */
char **theme_names(size_t *n);
void theme_names_free(char **names, size_t n);
/* Loads a theme and sets up its colour pairs; without colours (NO_COLOR, a
 * monochrome terminal) a role's attributes are used, and a role that asks
 * for colours keeps the built-in attributes as well (the selection stays
 * reverse video). A theme says the background it is made for
 * (`background: dark` or `light`; its text contrast is tested on it). Unknown roles, colours
 * and attributes are errors with file:line:col. */
int theme_load(const char *name, bool colour, struct theme *t, struct pl_error *err);
/* The built-in fallback when no theme file can be read: attributes only. */
void theme_default(struct theme *t);

#endif
