/* The toml-test decoder interface: TOML on stdin, tagged JSON on stdout,
 * exit 1 with the error on stderr when the input is not valid TOML. */
#include "config.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "toml.h"

static json_t *tagged(const char *type, const char *value)
{
	return json_pack("{s:s, s:s}", "type", type, "value", value);
}

static json_t *to_json(const struct toml_value *v)
{
	struct util_buf b = UTIL_BUF_INIT;
	json_t *j;

	switch (v->type) {
	case TOML_TABLE:
		j = json_object();
		for (size_t i = 0; i < v->u.table.len; i++) {
			const struct toml_pair *pr = &v->u.table.items[i];
			json_object_setn_new_nocheck(j, pr->key, pr->key_len, to_json(pr->value));
		}
		return j;
	case TOML_ARRAY:
		j = json_array();
		for (size_t i = 0; i < v->u.array.len; i++)
			json_array_append_new(j, to_json(v->u.array.items[i]));
		return j;
	case TOML_STRING:
		return json_pack("{s:s, s:s#}", "type", "string", "value", v->u.str.ptr, (int)v->u.str.len);
	case TOML_INTEGER:
		util_buf_printf(&b, "%" PRId64, v->u.integer);
		j = tagged("integer", b.data);
		break;
	case TOML_FLOAT:
		if (isnan(v->u.real))
			util_buf_puts(&b, "nan");
		else if (isinf(v->u.real))
			util_buf_puts(&b, v->u.real < 0 ? "-inf" : "inf");
		else
			util_buf_printf(&b, "%.17g", v->u.real);
		j = tagged("float", b.data);
		break;
	case TOML_BOOL:
		return tagged("bool", v->u.boolean ? "true" : "false");
	default:
		toml_write_datetime(&b, v->type, &v->u.dt);
		j = tagged(v->type == TOML_DATETIME ? "datetime" : v->type == TOML_DATETIME_LOCAL ?
			   "datetime-local" : v->type == TOML_DATE_LOCAL ? "date-local" : "time-local",
			   b.data);
		break;
	}
	util_buf_free(&b);
	return j;
}

int main(void)
{
	struct util_buf in = UTIL_BUF_INIT;
	struct pl_error err;
	char chunk[65536], msg[2200];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		util_buf_add(&in, chunk, n);
	struct toml_doc *doc = toml_parse(in.data ? in.data : "", in.len, "<stdin>", &err);
	util_buf_free(&in);
	if (!doc) {
		fprintf(stderr, "%s\n", pl_error_format(&err, msg, sizeof(msg)));
		return 1;
	}
	json_t *j = to_json(toml_root(doc));
	json_dumpf(j, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(j);
	toml_free(doc);
	return 0;
}
