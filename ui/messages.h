/* The `:` screen: the message log, every job's start and result and every
 * status message with its time and whole text, newest last. */
#ifndef PYLOCK_UI_MESSAGES_H
#define PYLOCK_UI_MESSAGES_H

#include "keymap.h"

struct app;
void messages_open(struct app *app);
void messages_draw(struct app *app, int y, int x, int h, int w);
/* Scrolls, or closes on `:`, q or Esc. */
void messages_request(struct app *app, enum request req);

#endif
