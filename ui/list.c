/* The list widget and width-aware text. */
#include "config.h"
#include "list.h"

#include <curses.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void list_set_count(struct list *l, size_t n)
{
	l->n = n;
	if (l->cursor >= n)
		l->cursor = n ? n - 1 : 0;
	if (l->top > l->cursor)
		l->top = l->cursor;
}

bool list_request(struct list *l, enum request req)
{
	size_t page = l->height > 1 ? (size_t)l->height - 1 : 1;

	switch (req) {
	case REQ_MOVE_UP:
		if (l->cursor)
			l->cursor--;
		return true;
	case REQ_MOVE_DOWN:
		if (l->cursor + 1 < l->n)
			l->cursor++;
		return true;
	case REQ_PAGE_UP:
		l->cursor = l->cursor > page ? l->cursor - page : 0;
		l->top = l->top > page ? l->top - page : 0;
		return true;
	case REQ_PAGE_DOWN:
		l->cursor = l->n && l->cursor + page >= l->n ? l->n - 1 : l->cursor + page;
		if (l->top + page + (size_t)l->height <= l->n)
			l->top += page;
		return true;
	case REQ_FIRST:
		l->cursor = 0;
		return true;
	case REQ_LAST:
		l->cursor = l->n ? l->n - 1 : 0;
		return true;
	default:
		return false;
	}
}

void list_draw(struct list *l, int y, int x, int h, int w, list_row_fn row, void *arg)
{
	l->height = h;
	if (h <= 0 || w <= 0)
		return;
	if (l->cursor < l->top)
		l->top = l->cursor;
	if (l->cursor >= l->top + (size_t)h)
		l->top = l->cursor - (size_t)h + 1;
	if (l->top + (size_t)h > l->n)
		l->top = l->n > (size_t)h ? l->n - (size_t)h : 0;
	for (int r = 0; r < h; r++) {
		size_t i = l->top + (size_t)r;
		if (i < l->n)
			row(arg, i, y + r, x, w, i == l->cursor);
		else
			list_text(y + r, x, w, A_NORMAL, "");
	}
}

static bool utf8(void)
{
	static int known = -1;

	if (known < 0)
		known = !strcmp(nl_langinfo(CODESET), "UTF-8");
	return known;
}

int list_width(const char *text)
{
	mbstate_t st;
	int width = 0;

	if (!utf8())
		return (int)strlen(text);
	memset(&st, 0, sizeof(st));
	for (const char *p = text; *p;) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p, strlen(p), &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			width++;
			p++;
			continue;
		}
		int cw = wcwidth(wc);
		width += cw > 0 ? cw : 0;
		p += n;
	}
	return width;
}

void list_text(int y, int x, int w, int attr, const char *text)
{
	mbstate_t st;
	int used = 0, total = list_width(text);
	bool cut = total > w;
	int room = cut ? w - 1 : w;

	if (w <= 0)
		return;
	attrset(attr);
	move(y, x);
	memset(&st, 0, sizeof(st));
	for (const char *p = text; *p && used < room;) {
		wchar_t wc;
		size_t n = utf8() ? mbrtowc(&wc, p, strlen(p), &st) : 1;
		if (!utf8() || n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			/* Control and invalid bytes are shown as '?', never sent raw. */
			addch((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f ? (chtype)(unsigned char)*p : '?');
			used++;
			p++;
			continue;
		}
		int cw = wcwidth(wc);
		if (cw < 0) {
			addch('?');
			used++;
		} else if (used + cw <= room) {
			char buf[8];
			memcpy(buf, p, n);
			buf[n] = '\0';
			addstr(buf);
			used += cw;
		} else {
			break;
		}
		p += n;
	}
	if (cut) {
		if (utf8())
			addstr("\xe2\x80\xa6");
		else
			addch('~');
		used++;
	}
	for (; used < w; used++)
		addch(' ');
	attrset(A_NORMAL);
}
