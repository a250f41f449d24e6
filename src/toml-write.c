/* TOML writer: strings, keys and values for pylock's own output. */
#include "config.h"
#include "toml.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void toml_write_integer(struct util_buf *b, int64_t n)
{
	char digits[24], *p = digits + sizeof(digits);
	uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10));
	if (n < 0)
		*--p = '-';
	util_buf_add(b, p, (size_t)(digits + sizeof(digits) - p));
}

/* Two-digit fields of dates and times, without printf. */
static void put2(struct util_buf *b, int n)
{
	char d[2] = { (char)('0' + n / 10 % 10), (char)('0' + n % 10) };

	util_buf_add(b, d, 2);
}

void toml_write_string(struct util_buf *b, const char *s, size_t len)
{
	size_t start = 0;

	util_buf_reserve(b, len + 2);
	util_buf_putc(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c;
		const char *esc = NULL;

		/* Eight bytes at a time while none needs an escape. */
		while (len - i >= 8) {
			const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
			uint64_t w, q, bs, del;

			memcpy(&w, s + i, 8);
			q = w ^ (ones * '"');
			bs = w ^ (ones * '\\');
			del = w ^ (ones * 0x7f);
			if ((((q - ones) & ~q) | ((bs - ones) & ~bs) | ((del - ones) & ~del) |
			     ((w - ones * 0x20) & ~w)) & highs)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		util_buf_add(b, s + start, i - start);
		start = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\f': esc = "\\f"; break;
		case '\r': esc = "\\r"; break;
		}
		if (esc)
			util_buf_puts(b, esc);
		else
			util_buf_printf(b, "\\u%04X", c);
	}
	util_buf_add(b, s + start, len - start);
	util_buf_putc(b, '"');
}

void toml_write_key(struct util_buf *b, const char *key, size_t len)
{
	bool bare = len > 0;

	for (size_t i = 0; i < len && bare; i++) {
		char c = key[i];
		bare = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		       (c >= '0' && c <= '9') || c == '_' || c == '-';
	}
	if (bare)
		util_buf_add(b, key, len);
	else
		toml_write_string(b, key, len);
}

/* The shortest form that reads back as the same double, always with a
 * point or an exponent so it stays a float. */
static void write_float(struct util_buf *b, double d)
{
	char tmp[40];

	if (isnan(d)) {
		util_buf_puts(b, "nan");
		return;
	}
	if (isinf(d)) {
		util_buf_puts(b, d < 0 ? "-inf" : "inf");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	util_buf_puts(b, tmp);
	if (!strpbrk(tmp, ".eEn"))
		util_buf_puts(b, ".0");
}

void toml_write_datetime(struct util_buf *b, enum toml_type type,
			 const struct toml_datetime *dt)
{
	if (type != TOML_TIME_LOCAL) {
		put2(b, dt->year / 100);
		put2(b, dt->year % 100);
		util_buf_putc(b, '-');
		put2(b, dt->month);
		util_buf_putc(b, '-');
		put2(b, dt->day);
	}
	if (type == TOML_DATE_LOCAL)
		return;
	if (type != TOML_TIME_LOCAL)
		util_buf_putc(b, 'T');
	put2(b, dt->hour);
	util_buf_putc(b, ':');
	put2(b, dt->minute);
	util_buf_putc(b, ':');
	put2(b, dt->second);
	if (dt->frac_digits > 0) {
		int frac = dt->nanosecond;

		for (int i = dt->frac_digits; i < 9; i++)
			frac /= 10;
		util_buf_printf(b, ".%0*d", dt->frac_digits, frac);
	}
	if (type == TOML_DATETIME) {
		int off = dt->offset_minutes;

		if (off == 0)
			util_buf_putc(b, 'Z');
		else
			util_buf_printf(b, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
	}
}

void toml_write_value(struct util_buf *b, const struct toml_value *v)
{
	switch (v->type) {
	case TOML_STRING:
		toml_write_string(b, v->u.str.ptr, v->u.str.len);
		break;
	case TOML_INTEGER:
		toml_write_integer(b, v->u.integer);
		break;
	case TOML_FLOAT:
		write_float(b, v->u.real);
		break;
	case TOML_BOOL:
		util_buf_puts(b, v->u.boolean ? "true" : "false");
		break;
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		toml_write_datetime(b, v->type, &v->u.dt);
		break;
	case TOML_ARRAY:
		util_buf_putc(b, '[');
		for (size_t i = 0; i < v->u.array.len; i++) {
			if (i)
				util_buf_puts(b, ", ");
			toml_write_value(b, v->u.array.items[i]);
		}
		util_buf_putc(b, ']');
		break;
	case TOML_TABLE:
		util_buf_putc(b, '{');
		for (size_t i = 0; i < v->u.table.len; i++) {
			const struct toml_pair *pr = &v->u.table.items[i];

			util_buf_puts(b, i ? ", " : " ");
			toml_write_key(b, pr->key, pr->key_len);
			util_buf_puts(b, " = ");
			toml_write_value(b, pr->value);
		}
		util_buf_puts(b, v->u.table.len ? " }" : "}");
		break;
	}
}
