/* Requests, not keys (after tig's request.h): every action the UI can take
 * is listed once with its help text; one table binds keys to them. The `?`
 * screen and the man page's key section are generated from the same
 * tables. */
#ifndef PYLOCK_UI_KEYMAP_H
#define PYLOCK_UI_KEYMAP_H

#include <stdio.h>

#define REQUESTS(REQ) \
	REQ(MOVE_UP, "Move up") \
	REQ(MOVE_DOWN, "Move down") \
	REQ(PAGE_UP, "Move up a page") \
	REQ(PAGE_DOWN, "Move down a page") \
	REQ(FIRST, "Go to the first line") \
	REQ(LAST, "Go to the last line") \
	REQ(NEXT_PANE, "Switch between the project list and the detail pane") \
	REQ(TAB_PACKAGES, "Packages tab: versions, sources, signature status") \
	REQ(TAB_DIFF, "Diff tab: the lock against a git revision") \
	REQ(TAB_CONFLICTS, "Conflicts tab: resolve a lock left in merge conflict") \
	REQ(TAB_INFO, "Info tab: paths, environment, interpreter") \
	REQ(FILTER, "Filter the focused list: projects (name, path, branch, status) or packages (name, version, source, status)") \
	REQ(TAG, "Tag or untag the project; v and s then act on every tagged project") \
	REQ(MAXIMISE, "Maximise the focused pane, or give the other back") \
	REQ(REFRESH, "Reread the project: its lock, git state and environment") \
	REQ(SHELL, "Open a shell in the project's sandbox; in the Packages tab's list, the package's details") \
	REQ(VERIFY, "Verify the project's hashes and signatures") \
	REQ(SYNC, "Build the project's environment") \
	REQ(LOCK, "Relock the project from its pyproject.toml") \
	REQ(UPGRADE, "Relock with the newest versions (in Packages: the package under the cursor)") \
	REQ(IMPORT, "Import the project's uv.lock, poetry.lock, pdm.lock or requirements.txt") \
	REQ(ADD, "Add a requirement to pyproject.toml and relock") \
	REQ(REMOVE, "Remove a requirement from pyproject.toml and relock") \
	REQ(DIFF, "Show the Diff tab") \
	REQ(RESOLVE, "Show the Conflicts tab") \
	REQ(REVISION, "Diff: the revision to compare with (REV, or A..B for two; Tab takes the default)") \
	REQ(THEME, "Next colour theme") \
	REQ(REDRAW, "Redraw the screen") \
	REQ(HELP, "Show or hide this help") \
	REQ(LOG, "Show or hide the message log (every result, with its time and whole text)") \
	REQ(QUIT, "Quit") \
	REQ(CHOOSE_OURS, "Conflicts: keep ours") \
	REQ(CHOOSE_THEIRS, "Conflicts: keep theirs") \
	REQ(CHOOSE_BASE, "Conflicts: keep the base") \
	REQ(CHOOSE_NEWER, "Conflicts: keep the newer version") \
	REQ(CHOOSE_ALL, "Conflicts: apply the last choice to all remaining") \
	REQ(WRITE, "Conflicts: write and stage the resolved lock") \
	REQ(CANCEL, "Close help or the log; in Conflicts: leave without writing anything")

enum request {
	REQ_NONE,
#define REQ_ENUM(name, help) REQ_##name,
	REQUESTS(REQ_ENUM)
#undef REQ_ENUM
	REQ_COUNT
};

/* Where a binding applies: everywhere, or only in one tab, where it wins
 * over the general one: the Conflicts tab's while the detail pane has the
 * focus, the Diff tab's whenever it shows. */
enum keymap_context { KEYMAP_GENERAL, KEYMAP_CONFLICTS, KEYMAP_DIFF };

/* Teaches curses the other terminals' Home, End, PgUp and PgDn (tmux's
 * and the Linux console's \e[1~ and \e[4~ under a TERM that says
 * \eOH): after keypad(), before the first key. */
void keymap_define_keys(void);

/* The request for a key in a context (REQ_NONE when unbound). */
enum request keymap_request(int key, enum keymap_context context);
const char *keymap_help(enum request req);

/* Each binding in table order: its key's name, context and request. */
struct keymap_line {
	const char *keys;
	enum keymap_context context;
	enum request req;
};
size_t keymap_lines(const struct keymap_line **lines);

/* The bindings as roff for pylock(1)'s KEYS section. */
void keymap_write_roff(FILE *out);

#endif
