/* Prompts on the status line that never block the loop (as lazygit's
 * popups): a question answered by one key, or a line edited with the
 * shell's keys (Ctrl-A/E/U/W/K, arrows, Home/End). Keys go to the open
 * prompt; jobs, discovery and resizes go on behind it. The answer goes to a
 * callback with the subject it was asked about (a row's key), which checks
 * that what it acts on is still there. */
#ifndef PYLOCK_UI_PROMPT_H
#define PYLOCK_UI_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

struct app;

/* answer: the line (Enter; the greyed default when left empty), or the key
 * pressed as a one-character string ("" for Enter); NULL when Esc left. */
typedef void (*prompt_fn)(struct app *app, const char *subject, const char *answer);

struct prompt {
	bool open, one_key;
	char label[320];
	char text[256];
	size_t cursor;
	char fallback[128];	/* shown greyed while the line is empty */
	char subject[4096];
	prompt_fn done;
	prompt_fn changed;	/* after each edit (a live filter), or NULL */
};

void prompt_line(struct app *app, const char *label, const char *text, const char *fallback,
		 const char *subject, prompt_fn done, prompt_fn changed);
void prompt_ask(struct app *app, const char *question, const char *subject, prompt_fn done);
/* Whether a one-key answer is yes (y or Y; anything else, Enter and Esc
 * included, is no). */
bool prompt_yes(const char *answer);
/* A key for the open prompt. */
void prompt_key(struct app *app, int key);
/* Paints the prompt over the status line's row y. */
void prompt_draw(struct app *app, int y, int w);

#endif
