/* The `?` screen: every binding from the keymap tables, scrollable. */
#ifndef PYLOCK_UI_HELP_H
#define PYLOCK_UI_HELP_H

#include "keymap.h"

struct app;
void help_draw(struct app *app, int y, int x, int h, int w);
void help_request(struct app *app, enum request req);

#endif
