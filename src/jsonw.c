/* Streaming JSON (see jsonw.h). */
#include "config.h"
#include "jsonw.h"

#include <string.h>

void jsonw_init(struct jsonw *w, struct util_buf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

static void indent(struct jsonw *w, int depth)
{
	size_t n = 1 + 2 * (size_t)depth;

	util_buf_reserve(w->out, n);
	w->out->data[w->out->len] = '\n';
	memset(w->out->data + w->out->len + 1, ' ', n - 1);
	w->out->len += n;
	w->out->data[w->out->len] = '\0';
}

/* Where a value (or a key) starts: after a key, or on a line of its own. */
static void before(struct jsonw *w)
{
	if (w->keyed) {
		w->keyed = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (w->count[w->depth - 1]++)
		util_buf_putc(w->out, ',');
	indent(w, w->depth);
}

static void open_level(struct jsonw *w, char c)
{
	before(w);
	util_buf_putc(w->out, c);
	if (w->depth < JSONW_DEPTH)
		w->count[w->depth] = 0;
	w->depth++;
}

void jsonw_object(struct jsonw *w)
{
	open_level(w, '{');
}

void jsonw_array(struct jsonw *w)
{
	open_level(w, '[');
}

void jsonw_end(struct jsonw *w, char close)
{
	w->depth--;
	if (w->count[w->depth])
		indent(w, w->depth);
	util_buf_putc(w->out, close);
}

/* The length of the UTF-8 sequence at s, 0 when invalid (the string's NUL
 * is no continuation byte: the check stops there). */
static size_t utf8_sequence(const unsigned char *s)
{
	size_t want = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 && s[0] < 0xf0 ? 3
		    : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;

	if (!want)
		return 0;
	for (size_t i = 1; i < want; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) || (s[0] == 0xf0 && s[1] < 0x90) ||
	    (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return want;
}

/* Whether none of the 8 bytes in x needs a look: no control (< 0x20,
 * DEL), no '"' or '\\', nothing past ASCII. The tests are the classic
 * "some byte is zero / less than n" word tricks, exact for n <= 0x80. */
static bool word_plain(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t quote = x ^ (ones * '"'), slash = x ^ (ones * '\\'), del = x ^ (ones * 0x7f);

	return !((x | ((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) |
		  ((slash - ones) & ~slash) | ((del - ones) & ~del)) & highs);
}

static const unsigned char *plain_run(const unsigned char *s, const unsigned char *end)
{
	uint64_t x;

	while (end - s >= 8 && (memcpy(&x, s, 8), word_plain(x)))
		s += 8;
	while (s < end && *s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
		s++;
	return s;
}

/* A JSON string holding no control character at all (C0, DEL, C1: escaped;
 * bytes that are not UTF-8: U+FFFD), so that what pylock writes as JSON
 * may go to a terminal unfiltered. */
static void quoted(struct util_buf *out, const char *str)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str, *run = s, *end = s + strlen(str);

	util_buf_putc(out, '"');
	while ((s = plain_run(s, end)) < end) {
		unsigned char c = *s;
		size_t n = 1;

		if (c >= 0x80 && (n = utf8_sequence(s)) && !(n == 2 && c == 0xc2 && s[1] <= 0x9f)) {
			s += n;
			continue;
		}
		util_buf_add(out, run, (size_t)(s - run));
		if (c >= 0x80 && !n) {
			util_buf_puts(out, "\\ufffd");
			n = 1;
		} else {
			unsigned code = n == 2 ? s[1] : c;
			switch (code) {
			case '"': util_buf_puts(out, "\\\""); break;
			case '\\': util_buf_puts(out, "\\\\"); break;
			case '\b': util_buf_puts(out, "\\b"); break;
			case '\f': util_buf_puts(out, "\\f"); break;
			case '\n': util_buf_puts(out, "\\n"); break;
			case '\r': util_buf_puts(out, "\\r"); break;
			case '\t': util_buf_puts(out, "\\t"); break;
			default:
				util_buf_puts(out, "\\u00");
				util_buf_putc(out, hex[code >> 4]);
				util_buf_putc(out, hex[code & 15]);
			}
		}
		s += n;
		run = s;
	}
	util_buf_add(out, run, (size_t)(s - run));
	util_buf_putc(out, '"');
}

void jsonw_key(struct jsonw *w, const char *key)
{
	before(w);
	quoted(w->out, key);
	util_buf_puts(w->out, ": ");
	w->keyed = true;
}

void jsonw_string(struct jsonw *w, const char *s)
{
	before(w);
	if (s)
		quoted(w->out, s);
	else
		util_buf_puts(w->out, "null");
}

void jsonw_int(struct jsonw *w, int64_t n)
{
	char digits[24], *d = digits + sizeof(digits);
	uint64_t u = n < 0 ? -(uint64_t)n : (uint64_t)n;

	before(w);
	do
		*--d = (char)('0' + u % 10);
	while (u /= 10);
	if (n < 0)
		*--d = '-';
	util_buf_add(w->out, d, (size_t)(digits + sizeof(digits) - d));
}

void jsonw_bool(struct jsonw *w, bool b)
{
	before(w);
	util_buf_puts(w->out, b ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
	before(w);
	util_buf_puts(w->out, "null");
}
