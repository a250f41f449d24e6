/* The terminal UI's shared state and the view interface (after tig's
 * view_ops): one file per view, each exporting one `const struct view_ops`.
 * ui/ calls only src/ headers and ncurses; no libgit2, libmount or OpenSSL. */
#ifndef PYLOCK_UI_APP_H
#define PYLOCK_UI_APP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "discover.h"
#include "trust.h"
#include "keymap.h"
#include "list.h"
#include "prompt.h"
#include "theme.h"

/* What a long operation found out about one project (verify, sync). */
struct sig_status {
	char *name;		/* normalised package name */
	char status[20];	/* trust status name */
	char signer[80];	/* the key id, or the publisher that attested ("GitHub o/r wf") */
	char reason[256];	/* why: what decided it, or what failed ("sha256 ..., the lock says ...") */
	char file[128];		/* the file whose result it is (the worst) */
};

struct project_row {
	struct discover_project *p;
	const char *env;		/* env_state_name() */
	/* The last `verify` of this project, NULL until one ran. */
	struct sig_status *sigs;
	size_t nsigs;
	size_t bad;			/* packages worse than allowed-unsigned */
	bool verified;
	char summary[32];		/* "12 ok", "2 bad", "-" */
	char failed[16];		/* the last job that failed ("sync"), "" once it succeeds */
	char *revision;			/* the Diff tab's base for this project (R), NULL for HEAD */
	bool tagged;			/* Space: v and s act on every tagged row */
	long changed_at;		/* a watched file changed (ms, monotonic); 0: none pending */
};

enum tab { TAB_PACKAGES, TAB_DIFF, TAB_CONFLICTS, TAB_INFO, TAB_COUNT };
enum pane { PANE_LIST, PANE_DETAIL };

struct app;

/* One detail tab. open builds its lines for the selected project (called
 * when the selection or the tab changes, and after a long operation);
 * draw paints them into the rectangle; request handles what the keymap
 * gives it and returns false for requests it leaves to the app. */
struct view_ops {
	const char *title;
	enum keymap_context context;
	void (*open)(struct app *app);
	void (*draw)(struct app *app, int y, int x, int h, int w);
	bool (*request)(struct app *app, enum request req);
	void (*done)(struct app *app);
};

extern const struct view_ops packages_view, diff_view, conflicts_view, info_view;
/* The name of the package under the Packages tab's cursor, or NULL. */
const char *packages_selected(const struct app *app);
/* Whether the Packages tab shows one package's details (Enter). */
bool packages_in_details(const struct app *app);
/* Applies app->detail_filter to the Packages tab. */
void packages_refilter(struct app *app);
/* The Packages tab's rows before its filter (0 when it shows no lock). */
size_t packages_total(const struct app *app);
/* Whether the Conflicts tab shows a lock in conflict (not a note that
 * there is nothing to resolve). */
bool conflicts_resolving(const struct app *app);
/* How many conflicts the user chose for and has not written yet. */
size_t conflicts_unwritten(const struct app *app);
/* The candidates' signatures, checked in the background for the lock at
 * lock_path (jobs_check_candidates); taken when the tab still shows it. */
struct candidate_status {
	char *name;		/* the package */
	int side;		/* enum lockdiff_side */
	struct trust_result result;
};
void conflicts_candidates(struct app *app, const char *lock_path, const struct candidate_status *c, size_t n,
			  const char *error);
/* Whether the Conflicts tab still waits for its candidates' signatures. */
bool conflicts_checking(const struct app *app);
/* The tabs, in their order on screen. */
extern const struct view_ops *const app_tabs[TAB_COUNT];

/* Background work: discovery, verify and sync on threads; results come
 * back through a pipe so that keys are never blocked. */
struct done;

#define APP_LOG_MAX 500

struct app {
	char **roots;
	size_t nroots;
	const char *pylock;		/* the CLI, for shells */
	char *store;

	pthread_mutex_t lock;		/* guards incoming, jobs_running, finished, progress */
	struct discover_project **incoming;
	size_t nincoming;
	bool discovering;
	int wake[2];			/* workers write a byte here */
	int jobs_running;
	struct done *finished;		/* results of child jobs */
	struct queued *queued;		/* verify and sync waiting for a free slot (jobs_max) */
	size_t nqueued;

	struct project_row *rows;
	size_t nrows;
	size_t *shown;			/* rows passing the filter, by index */
	struct list list;		/* over shown */
	char filter[128];

	enum pane pane;
	enum tab tab;
	struct list detail;		/* the tab's lines */
	char detail_for[4096];		/* the row key and tab they were opened for */
	void *tab_state[TAB_COUNT];
	char detail_filter[128];	/* / in the Packages tab */
	bool maximised;			/* +: the focused pane fills the screen */
	struct prompt prompt;		/* the open prompt, if any */

	struct theme theme;
	char **themes;			/* names found */
	size_t nthemes, theme_index;
	bool help;
	bool moved;			/* the user chose a project: keep it selected */
	struct list help_list;
	char status[256];		/* the status line's message */
	/* The message log (`:`): every status message and job start, with its
	 * time and whole text; the oldest dropped past APP_LOG_MAX. */
	char *log[APP_LOG_MAX];
	size_t nlog, log_first;
	bool log_open;
	struct list log_list;
	char progress[96];		/* the long operation under way: "verify NAME 3/50" */
	/* inotify on the rows on screen (watch.c). */
	unsigned rows_gen;		/* bumped whenever rows are added or replaced */
	size_t watch_top, watch_n;
	int watch_height;
	unsigned watch_gen;
	int watch_fd;
	struct watched *watched;
	size_t nwatched;
	/* Discovery's warnings (a root that cannot be opened, a broken
	 * repository), taken in by the main thread. */
	char **warnings;
	size_t nwarnings;
	bool quit;
};

/* What tells rows apart: a project with several locks has a row for each. */
const char *app_row_key(const struct project_row *r);
/* The selected project's row, or NULL. */
struct project_row *app_selected(struct app *app);
/* Sets the status line's message (cut to it; whole in the log). */
void app_message(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a line to the message log only. */
void app_log(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The log's line i, oldest first. */
const char *app_log_line(const struct app *app, size_t i);
/* Whose keys apply now: the Conflicts tab's while the detail pane has the
 * focus on it, the Diff tab's whenever it shows, else the general ones. */
enum keymap_context app_context(const struct app *app);
/* The row a subject (app_row_key) names, or NULL when it is gone. */
struct project_row *app_row_by_key(struct app *app, const char *key);
/* Reopens the current tab (after the selection or its data changed); on
 * the same project and tab the cursor stays where the user left it. */
void app_reopen(struct app *app);
/* Shows tab t (its lines from the start). */
void app_set_tab(struct app *app, enum tab t);
/* Draws text at (y, x) in at most w columns, cut with an ellipsis. */
void app_text(struct app *app, int y, int x, int w, enum role role, const char *text);
/* Blanks the rows [y, y + h) of a rectangle. */
void app_clear(struct app *app, int y, int x, int h, int w);

#endif
