/* Work that must not block keys (ui/jobs.c): discovery, verify and sync on
 * threads, their results collected on the main thread; shells on the real
 * terminal. */
#ifndef PYLOCK_UI_JOBS_H
#define PYLOCK_UI_JOBS_H

#include "app.h"

void jobs_start_discovery(struct app *app);
/* Takes in what finished jobs found (after a byte on app->wake). */
void jobs_collect(struct app *app);
/* Verify and sync run at most jobs_max() at a time; more wait their turn. */
void jobs_verify(struct app *app, struct project_row *row);
void jobs_sync(struct app *app, struct project_row *row);
int jobs_max(void);
/* Checks the candidates of the conflicted lock at lock_path (the project at
 * root) in the background; conflicts_candidates gets the result. */
void jobs_check_candidates(struct app *app, const char *lock_path, const char *root);
/* Rereads a project's folder (discovery of it alone): its row is replaced
 * with what the lock, git and the store say now. quiet: the result goes to
 * the log only (a watched file changed), not the status line. */
void jobs_refresh(struct app *app, struct project_row *row, bool quiet);
/* Discovery's warnings since the last call, into the log and, the first,
 * onto the status line with what to do about it. */
void jobs_warnings(struct app *app);
/* A relock (the engine's relock, as pylock lock / upgrade / add / remove):
 * arg is the package to upgrade (NULL: all), the requirement to add, or
 * the name to remove. */
enum jobs_relock { JOBS_LOCK, JOBS_UPGRADE, JOBS_ADD, JOBS_REMOVE, JOBS_IMPORT };
void jobs_relock(struct app *app, struct project_row *row, enum jobs_relock kind, const char *arg);
/* Drops the jobs still queued (the UI ends). */
void jobs_fini(struct app *app);
/* Runs the CLI on the real terminal (the TUI suspended); its exit status. */
int jobs_foreground(struct app *app, const char *const argv[]);

#endif
