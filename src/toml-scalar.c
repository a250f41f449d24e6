/* TOML values: strings, integers, floats, booleans, dates and times, and the
 * dispatch to arrays and inline tables. */
#include "config.h"
#include "toml-internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

char *toml_arena_strndup(struct toml_doc *doc, const char *s, size_t len)
{
	char *p = toml_arena_alloc_bytes(doc, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	return (c | 0x20) - 'a' + 10;
}

/* ---- strings ---- */

static void put_utf8(struct util_buf *b, uint32_t cp)
{
	char s[4];
	size_t n;

	if (cp < 0x80) {
		s[0] = (char)cp; n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | (cp >> 6)); s[1] = (char)(0x80 | (cp & 0x3f)); n = 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xe0 | (cp >> 12)); s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f)); n = 3;
	} else {
		s[0] = (char)(0xf0 | (cp >> 18)); s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); s[3] = (char)(0x80 | (cp & 0x3f)); n = 4;
	}
	util_buf_add(b, s, n);
}

/* At the character after a backslash. */
static int parse_escape(struct toml_parser *ps, struct util_buf *b)
{
	const char *at = ps->p - 1;
	int digits;
	uint32_t cp = 0;

	if (ps->p >= ps->end)
		return toml_fail(ps, at, "unterminated string");
	switch (*ps->p++) {
	case 'b': util_buf_putc(b, '\b'); return 0;
	case 't': util_buf_putc(b, '\t'); return 0;
	case 'n': util_buf_putc(b, '\n'); return 0;
	case 'f': util_buf_putc(b, '\f'); return 0;
	case 'r': util_buf_putc(b, '\r'); return 0;
	case '"': util_buf_putc(b, '"'); return 0;
	case '\\': util_buf_putc(b, '\\'); return 0;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	default:
		return toml_fail(ps, at, "invalid escape sequence '\\%c'", ps->p[-1]);
	}
	if (ps->end - ps->p < digits)
		return toml_fail(ps, at, "\\%c needs %d hex digits", ps->p[-1], digits);
	for (int i = 0; i < digits; i++) {
		if (!is_hex(ps->p[i]))
			return toml_fail(ps, at, "\\%c needs %d hex digits", ps->p[-1], digits);
		cp = (cp << 4) | (uint32_t)hex_value(ps->p[i]);
	}
	ps->p += digits;
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return toml_fail(ps, at, "escape is not a Unicode scalar value");
	put_utf8(b, cp);
	return 0;
}

static int bad_char(struct toml_parser *ps, unsigned char c)
{
	if (c == '\n' || c == '\r')
		return toml_fail(ps, ps->p, "unterminated string (new line before the closing quote)");
	return toml_fail(ps, ps->p, "control character 0x%02x in a string", c);
}

/* Characters the string may hold as they are: not its quote, backslash
 * (basic strings), newlines, or control characters other than tab. Eight
 * bytes at a time while none of those can be among them. */
static const char *plain_run(const char *p, const char *end, char quote)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	const uint64_t q = ones * (unsigned char)quote, bs = ones * (quote == '"' ? '\\' : quote);
	const uint64_t del = ones * 0x7f;

	while (end - p >= 8) {
		uint64_t w, x, y, z;

		memcpy(&w, p, 8);
		x = w ^ q;
		y = w ^ bs;
		z = w ^ del;
		/* A zero byte in x, y or z, or a byte below 0x20 in w, stops the run. */
		if ((((x - ones) & ~x) | ((y - ones) & ~y) | ((z - ones) & ~z) |
		     ((w - ones * 0x20) & ~w)) & highs)
			break;
		p += 8;
	}
	while (p < end) {
		unsigned char c = (unsigned char)*p;

		if (c == (unsigned char)quote || (c == '\\' && quote == '"') ||
		    (c < 0x20 && c != '\t') || c == 0x7f)
			break;
		p++;
	}
	return p;
}

static int parse_single_line(struct toml_parser *ps, char quote, struct util_buf *b)
{
	ps->p++;
	for (;;) {
		const char *run = plain_run(ps->p, ps->end, quote);

		util_buf_add(b, ps->p, (size_t)(run - ps->p));
		ps->p = run;
		if (ps->p >= ps->end)
			return toml_fail(ps, ps->p, "unterminated string");
		unsigned char c = (unsigned char)*ps->p;
		if (c == (unsigned char)quote) {
			ps->p++;
			return 0;
		}
		if (c == '\\') {
			ps->p++;
			if (parse_escape(ps, b) < 0)
				return -1;
			continue;
		}
		return bad_char(ps, c);
	}
}

static int parse_multi_line(struct toml_parser *ps, char quote, struct util_buf *b)
{
	ps->p += 3;
	/* A newline right after the opening quotes is not part of the string. */
	if (ps->p < ps->end && (*ps->p == '\n' || *ps->p == '\r') && toml_newline(ps) < 0)
		return -1;
	for (;;) {
		const char *run = plain_run(ps->p, ps->end, quote);

		util_buf_add(b, ps->p, (size_t)(run - ps->p));
		ps->p = run;
		if (ps->p >= ps->end)
			return toml_fail(ps, ps->p, "unterminated multi-line string");
		unsigned char c = (unsigned char)*ps->p;
		if (c == (unsigned char)quote) {
			size_t n = 0;

			while (ps->p + n < ps->end && ps->p[n] == quote)
				n++;
			if (n < 3) {
				util_buf_add(b, ps->p, n);
				ps->p += n;
				continue;
			}
			/* Up to two quotes may stand right before the closing three. */
			if (n > 5)
				return toml_fail(ps, ps->p + 5, "too many quotes at the end of the string");
			util_buf_add(b, ps->p, n - 3);
			ps->p += n;
			return 0;
		}
		if (c == '\n' || c == '\r') {
			if (toml_newline(ps) < 0)
				return -1;
			util_buf_putc(b, '\n');
			continue;
		}
		if (c == '\\') {
			const char *q = ps->p + 1;

			while (q < ps->end && (*q == ' ' || *q == '\t'))
				q++;
			if (q < ps->end && (*q == '\n' || *q == '\r')) {
				/* Line-ending backslash: drop white space and newlines up to the next text. */
				ps->p = q;
				if (toml_skip_ws_nl_only(ps) < 0)
					return -1;
				continue;
			}
			ps->p++;
			if (parse_escape(ps, b) < 0)
				return -1;
			continue;
		}
		return toml_fail(ps, ps->p, "control character 0x%02x in a string", c);
	}
}

int toml_parse_string(struct toml_parser *ps, const char **s, size_t *len, bool *escaped)
{
	char quote = *ps->p;
	bool multi = ps->end - ps->p >= 3 && ps->p[1] == quote && ps->p[2] == quote;
	int rc;

	if (!multi) {
		/* Most strings hold no escape: they stay in the source, their
		 * closing quote made their end. */
		const char *run = plain_run(ps->p + 1, ps->end, quote);
		if (run < ps->end && *run == quote) {
			*len = (size_t)(run - ps->p - 1);
			*s = ps->p + 1;
			toml_end_in_place(ps, run);
			*escaped = false;
			ps->p = run + 1;
			return 0;
		}
	}
	util_buf_truncate(&ps->scratch, 0);
	rc = multi ? parse_multi_line(ps, quote, &ps->scratch)
		   : parse_single_line(ps, quote, &ps->scratch);
	if (rc < 0)
		return -1;
	*len = ps->scratch.len;
	*escaped = true;
	*s = toml_arena_strndup(ps->doc, util_buf_str(&ps->scratch), ps->scratch.len);
	return 0;
}

/* ---- dates and times (RFC 3339 as TOML restricts it) ---- */

static bool digits_at(const char *p, const char *end, int n)
{
	if (end - p < n)
		return false;
	for (int i = 0; i < n; i++)
		if (!is_digit(p[i]))
			return false;
	return true;
}

static int num_at(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

static int days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

static int parse_time(struct toml_parser *ps, struct toml_datetime *dt)
{
	const char *p = ps->p;

	if (!digits_at(p, ps->end, 2) || ps->end - p < 8 || p[2] != ':' ||
	    !digits_at(p + 3, ps->end, 2) || p[5] != ':' || !digits_at(p + 6, ps->end, 2))
		return toml_fail(ps, p, "time must be HH:MM:SS");
	dt->hour = num_at(p, 2);
	dt->minute = num_at(p + 3, 2);
	dt->second = num_at(p + 6, 2);
	if (dt->hour > 23 || dt->minute > 59 || dt->second > 60)
		return toml_fail(ps, p, "time out of range");
	p += 8;
	if (p < ps->end && *p == '.') {
		p++;
		if (p >= ps->end || !is_digit(*p))
			return toml_fail(ps, p, "expected digits after the decimal point");
		/* Precision past nanoseconds is truncated, as the spec asks. */
		while (p < ps->end && is_digit(*p)) {
			if (dt->frac_digits < 9) {
				dt->nanosecond = dt->nanosecond * 10 + (*p - '0');
				dt->frac_digits++;
			}
			p++;
		}
		for (int i = dt->frac_digits; i < 9; i++)
			dt->nanosecond *= 10;
	}
	ps->p = p;
	return 0;
}

static struct toml_value *parse_datetime(struct toml_parser *ps, const char *at, int depth)
{
	struct toml_datetime dt = { 0 };
	enum toml_type type;
	const char *p = ps->p;

	if (p + 2 < ps->end && p[2] == ':') {
		if (parse_time(ps, &dt) < 0)
			return NULL;
		type = TOML_TIME_LOCAL;
		goto done;
	}
	if (ps->end - p < 10 || p[4] != '-' || !digits_at(p + 5, ps->end, 2) || p[7] != '-' ||
	    !digits_at(p + 8, ps->end, 2)) {
		toml_fail(ps, p, "date must be YYYY-MM-DD");
		return NULL;
	}
	dt.year = num_at(p, 4);
	dt.month = num_at(p + 5, 2);
	dt.day = num_at(p + 8, 2);
	if (dt.month < 1 || dt.month > 12 || dt.day < 1 || dt.day > days_in_month(dt.year, dt.month)) {
		toml_fail(ps, p, "no such date");
		return NULL;
	}
	p += 10;
	type = TOML_DATE_LOCAL;
	/* The date and time are separated by T, t or a space (RFC 3339, 5.6). */
	if (p < ps->end && (*p == 'T' || *p == 't' ||
			    (*p == ' ' && digits_at(p + 1, ps->end, 2) && p + 3 < ps->end && p[3] == ':'))) {
		ps->p = p + 1;
		if (parse_time(ps, &dt) < 0)
			return NULL;
		p = ps->p;
		type = TOML_DATETIME_LOCAL;
		if (p < ps->end && (*p == 'Z' || *p == 'z')) {
			p++;
			type = TOML_DATETIME;
		} else if (p < ps->end && (*p == '+' || *p == '-')) {
			if (!digits_at(p + 1, ps->end, 2) || ps->end - p < 6 || p[3] != ':' ||
			    !digits_at(p + 4, ps->end, 2)) {
				toml_fail(ps, p, "time offset must be +HH:MM or -HH:MM");
				return NULL;
			}
			int h = num_at(p + 1, 2), m = num_at(p + 4, 2);
			if (h > 23 || m > 59) {
				toml_fail(ps, p, "time offset out of range");
				return NULL;
			}
			dt.offset_minutes = (*p == '-' ? -1 : 1) * (h * 60 + m);
			p += 6;
			type = TOML_DATETIME;
		}
	}
	ps->p = p;
done:;
	struct toml_value *v = toml_new_value(ps, type, at, depth);
	if (v)
		v->u.dt = dt;
	return v;
}

/* ---- numbers ---- */

/* Digits of a base with single underscores between them; appends them
 * without underscores to out. Returns the end, or NULL when malformed. */
static const char *scan_digits(const char *p, const char *end, int base, struct util_buf *out)
{
	const char *start = p;

	for (; p < end; p++) {
		char c = *p;
		bool ok = base == 16 ? is_hex(c) : base == 8 ? (c >= '0' && c <= '7')
			: base == 2 ? (c == '0' || c == '1') : is_digit(c);
		if (ok) {
			util_buf_putc(out, c);
			continue;
		}
		if (c == '_' && p > start && p + 1 < end && p[-1] != '_') {
			char n = p[1];
			bool next = base == 16 ? is_hex(n) : base == 8 ? (n >= '0' && n <= '7')
				  : base == 2 ? (n == '0' || n == '1') : is_digit(n);
			if (next)
				continue;
		}
		break;
	}
	return p > start && p[-1] != '_' ? p : NULL;
}

static bool is_token_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_' || c == '+' || c == '-' || c == '.';
}

static struct toml_value *parse_number(struct toml_parser *ps, const char *at, int depth)
{
	const char *p = ps->p, *end = ps->p;
	struct util_buf *b = &ps->scratch;
	struct toml_value *v;

	while (end < ps->end && is_token_char(*end))
		end++;
	size_t n = (size_t)(end - p);
	const char *body = p + (*p == '+' || *p == '-');
	size_t bn = (size_t)(end - body);

	if (bn == 3 && (!memcmp(body, "inf", 3) || !memcmp(body, "nan", 3))) {
		if (!(v = toml_new_value(ps, TOML_FLOAT, at, depth)))
			return NULL;
		v->u.real = body[0] == 'i' ? INFINITY : NAN;
		if (*p == '-')
			v->u.real = -v->u.real;
		ps->p = end;
		return v;
	}
	util_buf_truncate(b, 0);
	if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'o' || p[1] == 'b')) {
		int base = p[1] == 'x' ? 16 : p[1] == 'o' ? 8 : 2;
		const char *q = scan_digits(p + 2, end, base, b);

		if (!q || q != end) {
			toml_fail(ps, at, "invalid integer");
			return NULL;
		}
		errno = 0;
		char *stop;
		unsigned long long u = strtoull(b->data, &stop, base);
		if (errno == ERANGE || u > INT64_MAX) {
			toml_fail(ps, at, "integer does not fit in 64 bits");
			return NULL;
		}
		if (!(v = toml_new_value(ps, TOML_INTEGER, at, depth)))
			return NULL;
		v->u.integer = (int64_t)u;
		ps->p = end;
		return v;
	}

	/* Plain decimal integers, the common case, need no copy. */
	if (n <= 18 && body < end) {
		const char *q = body;
		int64_t acc = 0;

		while (q < end && is_digit(*q))
			acc = acc * 10 + (*q++ - '0');
		if (q == end && (body[0] != '0' || end - body == 1)) {
			if (!(v = toml_new_value(ps, TOML_INTEGER, at, depth)))
				return NULL;
			v->u.integer = *p == '-' ? -acc : acc;
			ps->p = end;
			return v;
		}
	}
	if (p < end && (*p == '+' || *p == '-'))
		util_buf_putc(b, *p);
	const char *q = body;
	bool is_float = false;
	if (q < end && *q == '0' && q + 1 < end && (is_digit(q[1]) || q[1] == '_'))
		goto bad;
	if (!(q = scan_digits(q, end, 10, b)))
		goto bad;
	if (q < end && *q == '.') {
		util_buf_putc(b, '.');
		if (!(q = scan_digits(q + 1, end, 10, b)))
			goto bad;
		is_float = true;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		util_buf_putc(b, 'e');
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			util_buf_putc(b, *q++);
		if (!(q = scan_digits(q, end, 10, b)))
			goto bad;
		is_float = true;
	}
	if (q != end)
		goto bad;
	errno = 0;
	if (is_float) {
		if (!(v = toml_new_value(ps, TOML_FLOAT, at, depth)))
			return NULL;
		v->u.real = strtod(b->data, NULL);
	} else {
		long long i = strtoll(b->data, NULL, 10);
		if (errno == ERANGE) {
			toml_fail(ps, at, "integer does not fit in 64 bits");
			return NULL;
		}
		if (!(v = toml_new_value(ps, TOML_INTEGER, at, depth)))
			return NULL;
		v->u.integer = i;
	}
	ps->p = end;
	return v;
bad:
	toml_fail(ps, at, "invalid number '%.*s'", (int)(n > 40 ? 40 : n), p);
	return NULL;
}

static bool word_at(const struct toml_parser *ps, const char *w, size_t n)
{
	return (size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, w, n) &&
	       (ps->p + n == ps->end || !is_token_char(ps->p[n]));
}

struct toml_value *toml_parse_value(struct toml_parser *ps, int depth, int nesting)
{
	const char *at = ps->p;
	struct toml_value *v;

	if (ps->p >= ps->end)
		return toml_fail(ps, at, "expected a value"), NULL;
	switch (*ps->p) {
	case '"':
	case '\'': {
		uint32_t line, col;
		const char *s;
		size_t len;
		bool escaped;

		toml_position(ps, at, &line, &col);
		if (toml_parse_string(ps, &s, &len, &escaped) < 0 ||
		    !(v = toml_new_value(ps, TOML_STRING, ps->p, depth)))
			return NULL;
		v->line = line;
		v->col = col;
		if (escaped && memchr(s, '\0', len))
			v->flags |= TOML_FLAG_HAS_NUL;
		v->u.str.ptr = s;
		v->u.str.len = len;
		return v;
	}
	case '[':
	case '{':
		if (nesting >= TOML_MAX_DEPTH)
			return toml_fail(ps, at, "nested more than %d levels deep", TOML_MAX_DEPTH), NULL;
		return *ps->p == '[' ? toml_parse_array(ps, depth, nesting)
				     : toml_parse_inline_table(ps, depth, nesting);
	case 't':
	case 'f':
		if (word_at(ps, "true", 4) || word_at(ps, "false", 5)) {
			if (!(v = toml_new_value(ps, TOML_BOOL, at, depth)))
				return NULL;
			v->u.boolean = *ps->p == 't';
			ps->p += v->u.boolean ? 4 : 5;
			return v;
		}
		break;
	default:
		if (digits_at(ps->p, ps->end, 4) && ps->p + 4 < ps->end && ps->p[4] == '-')
			return parse_datetime(ps, at, depth);
		if (digits_at(ps->p, ps->end, 2) && ps->p + 2 < ps->end && ps->p[2] == ':')
			return parse_datetime(ps, at, depth);
		if (is_digit(*ps->p) || *ps->p == '+' || *ps->p == '-' || *ps->p == 'i' || *ps->p == 'n')
			return parse_number(ps, at, depth);
	}
	return toml_fail(ps, at, "expected a value"), NULL;
}
