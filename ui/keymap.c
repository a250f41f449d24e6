/* Default key bindings: the only place keys are named. */
#include "config.h"
#include "keymap.h"

#include <curses.h>
#include <string.h>

static const char *const help[] = {
	[REQ_NONE] = "",
#define REQ_HELP(name, text) [REQ_##name] = text,
	REQUESTS(REQ_HELP)
#undef REQ_HELP
};

struct binding {
	int key;
	enum keymap_context context;
	enum request req;
};

#define CTRL(c) ((c) & 0x1f)

static const struct binding bindings[] = {
	{ KEY_UP, KEYMAP_GENERAL, REQ_MOVE_UP },
	{ 'k', KEYMAP_GENERAL, REQ_MOVE_UP },
	{ KEY_DOWN, KEYMAP_GENERAL, REQ_MOVE_DOWN },
	{ 'j', KEYMAP_GENERAL, REQ_MOVE_DOWN },
	{ KEY_PPAGE, KEYMAP_GENERAL, REQ_PAGE_UP },
	{ CTRL('b'), KEYMAP_GENERAL, REQ_PAGE_UP },
	{ KEY_NPAGE, KEYMAP_GENERAL, REQ_PAGE_DOWN },
	{ CTRL('f'), KEYMAP_GENERAL, REQ_PAGE_DOWN },
	{ 'g', KEYMAP_GENERAL, REQ_FIRST },
	{ KEY_HOME, KEYMAP_GENERAL, REQ_FIRST },
	{ 'G', KEYMAP_GENERAL, REQ_LAST },
	{ KEY_END, KEYMAP_GENERAL, REQ_LAST },
	{ '\t', KEYMAP_GENERAL, REQ_NEXT_PANE },
	{ '1', KEYMAP_GENERAL, REQ_TAB_PACKAGES },
	{ '2', KEYMAP_GENERAL, REQ_TAB_DIFF },
	{ '3', KEYMAP_GENERAL, REQ_TAB_CONFLICTS },
	{ '4', KEYMAP_GENERAL, REQ_TAB_INFO },
	{ '/', KEYMAP_GENERAL, REQ_FILTER },
	{ '\n', KEYMAP_GENERAL, REQ_SHELL },
	{ '\r', KEYMAP_GENERAL, REQ_SHELL },
	{ KEY_ENTER, KEYMAP_GENERAL, REQ_SHELL },
	{ 'v', KEYMAP_GENERAL, REQ_VERIFY },
	{ 's', KEYMAP_GENERAL, REQ_SYNC },
	{ 'L', KEYMAP_GENERAL, REQ_LOCK },
	{ 'U', KEYMAP_GENERAL, REQ_UPGRADE },
	{ 'i', KEYMAP_GENERAL, REQ_IMPORT },
	{ 'a', KEYMAP_GENERAL, REQ_ADD },
	{ 'x', KEYMAP_GENERAL, REQ_REMOVE },
	{ 'd', KEYMAP_GENERAL, REQ_DIFF },
	{ 'r', KEYMAP_GENERAL, REQ_RESOLVE },
	{ 'R', KEYMAP_DIFF, REQ_REVISION },
	{ 'R', KEYMAP_GENERAL, REQ_REFRESH },
	{ CTRL('r'), KEYMAP_GENERAL, REQ_REFRESH },
	{ ' ', KEYMAP_GENERAL, REQ_TAG },
	{ '+', KEYMAP_GENERAL, REQ_MAXIMISE },
	/* The Conflicts tab's own; Esc (REQ_CANCEL) is the general one. */
	{ 'o', KEYMAP_CONFLICTS, REQ_CHOOSE_OURS },
	{ 't', KEYMAP_CONFLICTS, REQ_CHOOSE_THEIRS },
	{ 'b', KEYMAP_CONFLICTS, REQ_CHOOSE_BASE },
	{ 'n', KEYMAP_CONFLICTS, REQ_CHOOSE_NEWER },
	{ 'a', KEYMAP_CONFLICTS, REQ_CHOOSE_ALL },
	{ 'w', KEYMAP_CONFLICTS, REQ_WRITE },
	{ 'T', KEYMAP_GENERAL, REQ_THEME },
	{ CTRL('l'), KEYMAP_GENERAL, REQ_REDRAW },
	{ '?', KEYMAP_GENERAL, REQ_HELP },
	{ ':', KEYMAP_GENERAL, REQ_LOG },
	{ 27, KEYMAP_GENERAL, REQ_CANCEL },
	{ 'q', KEYMAP_GENERAL, REQ_QUIT },
};

void keymap_define_keys(void)
{
	static const struct {
		const char *seq;
		int key;
	} more[] = {
		{ "\033[1~", KEY_HOME }, { "\033[7~", KEY_HOME }, { "\033[H", KEY_HOME }, { "\033OH", KEY_HOME },
		{ "\033[4~", KEY_END }, { "\033[8~", KEY_END }, { "\033[F", KEY_END }, { "\033OF", KEY_END },
		{ "\033[5~", KEY_PPAGE }, { "\033[6~", KEY_NPAGE },
	};

	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		if (key_defined(more[i].seq) == 0)
			define_key(more[i].seq, more[i].key);
}

enum request keymap_request(int key, enum keymap_context context)
{
	enum request general = REQ_NONE;

	for (size_t i = 0; i < sizeof(bindings) / sizeof(*bindings); i++)
		if (bindings[i].key == key) {
			if (bindings[i].context == context && context != KEYMAP_GENERAL)
				return bindings[i].req;
			if (bindings[i].context == KEYMAP_GENERAL && general == REQ_NONE)
				general = bindings[i].req;
		}
	return general;
}

const char *keymap_help(enum request req)
{
	return req < REQ_COUNT ? help[req] : "";
}

static const char *binding_name(int key)
{
	static char buf[8];

	switch (key) {
	case KEY_UP: return "Up";
	case KEY_DOWN: return "Down";
	case KEY_PPAGE: return "PgUp";
	case KEY_NPAGE: return "PgDn";
	case KEY_HOME: return "Home";
	case KEY_END: return "End";
	case KEY_ENTER: case '\n': case '\r': return "Enter";
	case '\t': return "Tab";
	case ' ': return "Space";
	case 27: return "Esc";
	}
	if (key < 32) {
		snprintf(buf, sizeof(buf), "Ctrl-%c", key + 'a' - 1);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%c", key);
	return buf;
}

/* One line per (context, request): its keys joined. */
size_t keymap_lines(const struct keymap_line **out)
{
	static struct keymap_line lines[sizeof(bindings) / sizeof(*bindings)];
	static char keys[sizeof(bindings) / sizeof(*bindings)][48];
	static size_t n;

	if (!n)
		for (size_t i = 0; i < sizeof(bindings) / sizeof(*bindings); i++) {
			size_t k;
			for (k = 0; k < n; k++)
				if (lines[k].req == bindings[i].req && lines[k].context == bindings[i].context)
					break;
			const char *name = binding_name(bindings[i].key);
			if (k < n) {
				if (!strstr(keys[k], name))
					snprintf(keys[k] + strlen(keys[k]), sizeof(keys[k]) - strlen(keys[k]), ", %s", name);
				continue;
			}
			snprintf(keys[n], sizeof(keys[n]), "%s", name);
			lines[n] = (struct keymap_line){ keys[n], bindings[i].context, bindings[i].req };
			n++;
		}
	*out = lines;
	return n;
}

void keymap_write_roff(FILE *out)
{
	const struct keymap_line *lines;
	size_t n = keymap_lines(&lines);

	for (size_t i = 0; i < n; i++) {
		fprintf(out, ".TP\n.B ");
		for (const char *c = lines[i].keys; *c; c++)
			fprintf(out, *c == '\\' ? "\\e" : *c == '-' ? "\\-" : "%c", *c);
		fprintf(out, "\n%s\n", keymap_help(lines[i].req));
	}
}
