/* The one list widget every view uses (after htop's Panel): a cursor over
 * n rows, scrolling that keeps it in view, and the movement requests. Rows
 * are painted by the view through a callback; list_text draws a cell cut
 * to its width with an ellipsis, by display width, never spilling over. */
#ifndef PYLOCK_UI_LIST_H
#define PYLOCK_UI_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "keymap.h"

struct list {
	size_t n, cursor, top;
	int height;		/* rows shown at the last draw */
};

void list_set_count(struct list *l, size_t n);
/* Movement requests (up, down, pages, first, last); false for others. */
bool list_request(struct list *l, enum request req);

typedef void (*list_row_fn)(void *arg, size_t i, int y, int x, int w, bool selected);
void list_draw(struct list *l, int y, int x, int h, int w, list_row_fn row, void *arg);

/* Draws text from (y, x) in exactly w columns (padded), cut with "…" (or
 * "~" without UTF-8) when longer; attr is a curses attribute. */
void list_text(int y, int x, int w, int attr, const char *text);
/* Display width of a UTF-8 string (bytes when the locale is not UTF-8). */
int list_width(const char *text);

#endif
