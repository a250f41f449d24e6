/* Runs the toml-test 1.0.0 corpus through tests/toml-decoder, one process a
 * file: valid documents must decode to JSON equal (as data) to the expected
 * JSON, invalid ones must be refused. Prints TAP.
 * Usage: toml-corpus DECODER CORPUS-DIR */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static int run_decoder(const char *decoder, const char *input, struct util_buf *out)
{
	int pipefd[2], status;
	pid_t pid;
	char buf[65536];
	ssize_t n;

	if (pipe(pipefd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int in = open(input, O_RDONLY);
		int null = open("/dev/null", O_WRONLY);

		if (in < 0 || null < 0)
			_exit(126);
		dup2(in, 0);
		dup2(pipefd[1], 1);
		dup2(null, 2);
		close(pipefd[0]);
		execl(decoder, decoder, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0)
		util_buf_add(out, buf, (size_t)n);
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Seconds since 0000-03-01 for a date and time: enough to compare instants. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe;
}

struct moment {
	int y, mo, d, h, mi, s;
	long nanos;
	int offset;
	bool has_date, has_time, has_offset;
};

static bool parse_moment(const char *s, struct moment *m)
{
	memset(m, 0, sizeof(*m));
	if (strlen(s) >= 10 && s[4] == '-') {
		if (sscanf(s, "%4d-%2d-%2d", &m->y, &m->mo, &m->d) != 3)
			return false;
		m->has_date = true;
		s += 10;
		if (!*s)
			return true;
		if (*s != 'T' && *s != 't' && *s != ' ')
			return false;
		s++;
	}
	if (sscanf(s, "%2d:%2d:%2d", &m->h, &m->mi, &m->s) != 3)
		return false;
	m->has_time = true;
	s += 8;
	if (*s == '.') {
		int digits = 0;
		for (s++; *s >= '0' && *s <= '9'; s++)
			if (digits++ < 9)
				m->nanos = m->nanos * 10 + (*s - '0');
		for (; digits < 9; digits++)
			m->nanos *= 10;
	}
	if (*s == 'Z' || *s == 'z') {
		m->has_offset = true;
		s++;
	} else if (*s == '+' || *s == '-') {
		int h, mi;
		if (sscanf(s + 1, "%2d:%2d", &h, &mi) != 2)
			return false;
		m->offset = (*s == '-' ? -1 : 1) * (h * 60 + mi);
		m->has_offset = true;
		s += 6;
	}
	return *s == '\0';
}

static bool moments_equal(const char *a, const char *b)
{
	struct moment x, y;

	if (!parse_moment(a, &x) || !parse_moment(b, &y))
		return false;
	if (x.has_date != y.has_date || x.has_time != y.has_time || x.has_offset != y.has_offset)
		return false;
	if (x.has_offset) {
		long long tx = days_from_civil(x.y, (unsigned)x.mo, (unsigned)x.d) * 86400 +
			       x.h * 3600 + x.mi * 60 + x.s - x.offset * 60;
		long long ty = days_from_civil(y.y, (unsigned)y.mo, (unsigned)y.d) * 86400 +
			       y.h * 3600 + y.mi * 60 + y.s - y.offset * 60;
		return tx == ty && x.nanos / 1000000 == y.nanos / 1000000;
	}
	return x.y == y.y && x.mo == y.mo && x.d == y.d && x.h == y.h && x.mi == y.mi &&
	       x.s == y.s && x.nanos / 1000000 == y.nanos / 1000000;
}

static bool floats_equal(const char *a, const char *b)
{
	double x = strtod(a, NULL), y = strtod(b, NULL);

	if (isnan(x) || isnan(y))
		return isnan(x) && isnan(y);
	return x == y;
}

static bool is_tagged(json_t *j)
{
	return json_is_object(j) && json_object_size(j) == 2 &&
	       json_is_string(json_object_get(j, "type")) && json_is_string(json_object_get(j, "value"));
}

static bool scalars_equal(json_t *got, json_t *want)
{
	const char *t1 = json_string_value(json_object_get(got, "type"));
	const char *t2 = json_string_value(json_object_get(want, "type"));
	json_t *v1 = json_object_get(got, "value"), *v2 = json_object_get(want, "value");
	const char *s1 = json_string_value(v1), *s2 = json_string_value(v2);

	if (strcmp(t1, t2))
		return false;
	if (!strcmp(t1, "integer"))
		return strtoll(s1, NULL, 0) == strtoll(s2, NULL, 0);
	if (!strcmp(t1, "float"))
		return floats_equal(s1, s2);
	if (!strncmp(t1, "date", 4) || !strcmp(t1, "time-local"))
		return moments_equal(s1, s2);
	return json_string_length(v1) == json_string_length(v2) &&
	       !memcmp(s1, s2, json_string_length(v1));
}

static bool json_same(json_t *got, json_t *want)
{
	if (is_tagged(want))
		return is_tagged(got) && scalars_equal(got, want);
	if (json_is_array(want)) {
		if (!json_is_array(got) || json_array_size(got) != json_array_size(want))
			return false;
		for (size_t i = 0; i < json_array_size(want); i++)
			if (!json_same(json_array_get(got, i), json_array_get(want, i)))
				return false;
		return true;
	}
	if (json_is_object(want)) {
		const char *key;
		json_t *v;

		if (!json_is_object(got) || json_object_size(got) != json_object_size(want))
			return false;
		json_object_foreach(want, key, v) {
			json_t *g = json_object_get(got, key);
			if (!g || !json_same(g, v))
				return false;
		}
		return true;
	}
	return false;
}

/* jansson cannot hold NUL in object keys (the corpus has one), so the real
 * escape \u0000 becomes the text <NUL> on both sides before parsing;
 * an escaped backslash followed by "u0000" is left alone. */
static void mask_nul(struct util_buf *in, struct util_buf *out)
{
	bool in_string = false;

	for (size_t i = 0; i < in->len; i++) {
		char c = in->data[i];

		if (in_string && c == '\\') {
			if (in->len - i >= 6 && !memcmp(in->data + i, "\\u0000", 6)) {
				util_buf_puts(out, "<NUL>");
				i += 5;
			} else {
				util_buf_add(out, in->data + i, i + 1 < in->len ? 2 : 1);
				i++;
			}
			continue;
		}
		if (c == '"')
			in_string = !in_string;
		util_buf_putc(out, c);
	}
}

static json_t *load_masked(struct util_buf *text)
{
	struct util_buf masked = UTIL_BUF_INIT;
	json_error_t jerr;
	json_t *j;

	mask_nul(text, &masked);
	j = json_loadb(util_buf_str(&masked), masked.len, JSON_ALLOW_NUL, &jerr);
	util_buf_free(&masked);
	return j;
}

int main(int argc, char **argv)
{
	char list[4096], line[4096], path[8192];
	FILE *f;
	int n = 0, failed = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: toml-corpus DECODER CORPUS-DIR\n");
		return 2;
	}
	snprintf(list, sizeof(list), "%s/tests/files-toml-1.0.0", argv[2]);
	if (!(f = fopen(list, "r"))) {
		printf("not ok 1 - corpus list %s: %s\n1..1\n", list, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		size_t len = strlen(line);
		bool valid = !strncmp(line, "valid/", 6);

		if (len < 5 || strcmp(line + len - 5, ".toml"))
			continue;
		struct util_buf out = UTIL_BUF_INIT;
		snprintf(path, sizeof(path), "%s/tests/%s", argv[2], line);
		int rc = run_decoder(argv[1], path, &out);
		const char *why = NULL;

		if (!valid)
			why = rc == 1 ? NULL : rc == 0 ? "accepted an invalid document" : "decoder crashed";
		else if (rc != 0)
			why = "refused a valid document";
		else {
			struct util_buf expected = UTIL_BUF_INIT;
			struct pl_error err;
			char *data;
			size_t dlen;
			json_t *want = NULL, *got = load_masked(&out);

			snprintf(path + strlen(path) - 5, 6, ".json");
			if (util_read_file(path, 1 << 24, &data, &dlen, &err) == 0) {
				util_buf_add(&expected, data, dlen);
				free(data);
				want = load_masked(&expected);
			}
			util_buf_free(&expected);

			if (!want)
				why = "cannot read the expected JSON";
			else if (!got)
				why = "decoder printed malformed JSON";
			else if (!json_same(got, want))
				why = "decoded value differs from the expected JSON";
			json_decref(want);
			json_decref(got);
		}
		n++;
		if (why) {
			failed++;
			printf("not ok %d - %s\n#   %s (exit %d)\n", n, line, why, rc);
		} else
			printf("ok %d - %s\n", n, line);
		util_buf_free(&out);
	}
	fclose(f);
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
