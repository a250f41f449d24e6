/* Rows that update by themselves (after tig's and lazygit's file watching):
 * inotify on the folders of the projects on screen (their locks and
 * pyproject.toml) and on their repositories' git folders (index, HEAD);
 * a change marks the row, and once the changes settle the row is reread
 * (jobs_refresh). Only the rows shown are watched, so the number of
 * watches stays bounded whatever the number of projects. */
#ifndef PYLOCK_UI_WATCH_H
#define PYLOCK_UI_WATCH_H

struct app;

/* The inotify descriptor to poll, or -1 when there is none (then rows
 * update on R only). */
int watch_init(struct app *app);
/* Watches exactly the rows on screen now (cheap when they did not change). */
void watch_visible(struct app *app);
/* Reads what happened; marks the rows it concerns. */
void watch_read(struct app *app);
/* Rereads the rows whose changes have settled; the poll timeout (ms) until
 * the next is due, or -1. */
int watch_due(struct app *app);
void watch_fini(struct app *app);

#endif
