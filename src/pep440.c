/* Versions and specifiers as "Version specifiers" (PEP 440) defines them,
 * including its normalisation rules (case, separators, spellings). */
#include "config.h"
#include "pep440.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct cursor {
	const char *p;
	const char *why;
};

static bool read_number(struct cursor *c, uint64_t *out)
{
	uint64_t n = 0;
	const char *start = c->p;

	while (isdigit((unsigned char)*c->p)) {
		if (n > (UINT64_MAX - 9) / 10) {
			c->why = "number too large";
			return false;
		}
		n = n * 10 + (uint64_t)(*c->p++ - '0');
	}
	*out = n;
	return c->p > start;
}

static bool is_sep(char ch)
{
	return ch == '.' || ch == '-' || ch == '_';
}

/* Matches one of the words (case-insensitive, longest listed first). */
static const char *match_word(struct cursor *c, const char *const *words)
{
	for (size_t i = 0; words[i]; i++) {
		size_t n = strlen(words[i]);
		if (tolower((unsigned char)*c->p) == words[i][0] && !strncasecmp(c->p, words[i], n)) {
			c->p += n;
			return words[i];
		}
	}
	return NULL;
}

/* [sep] WORD [sep] [N]: the shape of pre, post and dev segments. */
static bool read_labelled(struct cursor *c, const char *const *words, const char **word, uint64_t *n)
{
	const char *save = c->p;

	if (is_sep(*c->p))
		c->p++;
	if (!(*word = match_word(c, words))) {
		c->p = save;
		return false;
	}
	const char *after_word = c->p;
	if (is_sep(*c->p))
		c->p++;
	if (!read_number(c, n)) {
		/* An implicit number is 0 ("1.0a" is "1.0a0"). */
		c->p = after_word;
		*n = 0;
	}
	return true;
}

int pep440_parse(const char *s, struct pep440_version *v, const char **why)
{
	static const char *const pre_words[] = { "alpha", "beta", "preview", "pre", "rc", "a", "b", "c", NULL };
	static const char *const post_words[] = { "post", "rev", "r", NULL };
	static const char *const dev_words[] = { "dev", NULL };
	struct cursor c = { s, NULL };
	const char *word;
	uint64_t n;

	memset(v, 0, sizeof(*v));
	while (isspace((unsigned char)*c.p))
		c.p++;
	if (*c.p == 'v' || *c.p == 'V')
		c.p++;
	if (!read_number(&c, &n))
		goto bad;
	if (*c.p == '!') {
		v->epoch = n;
		c.p++;
		if (!read_number(&c, &n))
			goto bad;
	}
	v->release[v->nrelease++] = n;
	while (*c.p == '.' && isdigit((unsigned char)c.p[1])) {
		c.p++;
		if (v->nrelease == PEP440_MAX_RELEASE) {
			c.why = "too many release numbers";
			goto bad;
		}
		if (!read_number(&c, &v->release[v->nrelease++]))
			goto bad;
	}
	if (read_labelled(&c, pre_words, &word, &v->pre)) {
		v->pre_kind = word[0] == 'r' || word[0] == 'p' || word[0] == 'c' ? 'c' : word[0];
	}
	if (*c.p == '-' && isdigit((unsigned char)c.p[1])) {
		c.p++;
		v->has_post = read_number(&c, &v->post);
	} else if (read_labelled(&c, post_words, &word, &v->post))
		v->has_post = true;
	if (read_labelled(&c, dev_words, &word, &v->dev))
		v->has_dev = true;
	if (c.why)
		goto bad;
	if (*c.p == '+') {
		size_t len = 0;

		c.p++;
		while (isalnum((unsigned char)*c.p) || (is_sep(*c.p) && len > 0 && isalnum((unsigned char)c.p[1]))) {
			if (len + 1 >= sizeof(v->local)) {
				c.why = "local version label too long";
				goto bad;
			}
			v->local[len++] = is_sep(*c.p) ? '.' : (char)tolower((unsigned char)*c.p);
			c.p++;
		}
		v->local[len] = '\0';
		if (!len) {
			c.why = "empty local version label";
			goto bad;
		}
	}
	while (isspace((unsigned char)*c.p))
		c.p++;
	if (*c.p)
		goto bad;
	return 0;
bad:
	if (why)
		*why = c.why ? c.why : "not a valid version (PEP 440)";
	return -1;
}

void pep440_format(const struct pep440_version *v, char *buf, size_t size)
{
	size_t n = 0;

#define PUT(...) do { \
		int k = snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__); \
		if (k > 0) n += (size_t)k; \
	} while (0)
	buf[0] = '\0';
	if (v->epoch)
		PUT("%llu!", (unsigned long long)v->epoch);
	for (size_t i = 0; i < v->nrelease; i++)
		PUT(i ? ".%llu" : "%llu", (unsigned long long)v->release[i]);
	if (v->pre_kind)
		PUT("%s%llu", v->pre_kind == 'c' ? "rc" : v->pre_kind == 'a' ? "a" : "b",
		    (unsigned long long)v->pre);
	if (v->has_post)
		PUT(".post%llu", (unsigned long long)v->post);
	if (v->has_dev)
		PUT(".dev%llu", (unsigned long long)v->dev);
	if (v->local[0])
		PUT("+%s", v->local);
#undef PUT
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int compare_release(const struct pep440_version *a, const struct pep440_version *b, size_t upto)
{
	for (size_t i = 0; i < upto; i++) {
		uint64_t x = i < a->nrelease ? a->release[i] : 0;
		uint64_t y = i < b->nrelease ? b->release[i] : 0;
		if (x != y)
			return cmp_u64(x, y);
	}
	return 0;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* Local labels: segment by segment, numbers above words, longer wins a tie. */
static int compare_local(const char *a, const char *b)
{
	while (*a && *b) {
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");
		bool na = all_digits(a, la), nb = all_digits(b, lb);
		int r;

		if (na != nb)
			return na ? 1 : -1;
		if (na) {
			const char *x = a, *y = b;
			size_t lx = la, ly = lb;
			while (lx > 1 && *x == '0') { x++; lx--; }
			while (ly > 1 && *y == '0') { y++; ly--; }
			r = lx != ly ? (lx < ly ? -1 : 1) : memcmp(x, y, lx);
		} else {
			r = memcmp(a, b, la < lb ? la : lb);
			if (!r && la != lb)
				r = la < lb ? -1 : 1;
		}
		if (r)
			return r < 0 ? -1 : 1;
		a += la + (a[la] == '.');
		b += lb + (b[lb] == '.');
	}
	return *a ? 1 : *b ? -1 : 0;
}

/* The pre-release key: a dev release of a final version sorts before its
 * pre-releases; a final version after them. */
static int pre_rank(const struct pep440_version *v, uint64_t *n)
{
	*n = v->pre;
	if (v->pre_kind)
		return v->pre_kind;	/* 'a' < 'b' < 'c' */
	if (!v->has_post && v->has_dev)
		return 0;
	return 'z';
}

static int compare_public(const struct pep440_version *a, const struct pep440_version *b)
{
	uint64_t pa, pb;
	int r, ra, rb;
	size_t n = a->nrelease > b->nrelease ? a->nrelease : b->nrelease;

	if ((r = cmp_u64(a->epoch, b->epoch)))
		return r;
	if ((r = compare_release(a, b, n)))
		return r;
	ra = pre_rank(a, &pa);
	rb = pre_rank(b, &pb);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if ((r = cmp_u64(pa, pb)))
		return r;
	if (a->has_post != b->has_post)
		return a->has_post ? 1 : -1;
	if ((r = cmp_u64(a->post, b->post)))
		return r;
	if (a->has_dev != b->has_dev)
		return a->has_dev ? -1 : 1;
	return cmp_u64(a->dev, b->dev);
}

int pep440_compare(const struct pep440_version *a, const struct pep440_version *b)
{
	int r = compare_public(a, b);

	if (r)
		return r;
	if (!a->local[0] || !b->local[0])
		return a->local[0] ? 1 : b->local[0] ? -1 : 0;
	return compare_local(a->local, b->local);
}

bool pep440_is_prerelease(const struct pep440_version *v)
{
	return v->pre_kind || v->has_dev;
}

static bool same_base(const struct pep440_version *a, const struct pep440_version *b)
{
	size_t n = a->nrelease > b->nrelease ? a->nrelease : b->nrelease;

	return a->epoch == b->epoch && compare_release(a, b, n) == 0;
}

static bool prefix_match(const struct pep440_version *v, const struct pep440_version *prefix, size_t n)
{
	return v->epoch == prefix->epoch && compare_release(v, prefix, n) == 0;
}

bool pep440_spec_contains(const struct pep440_spec *spec, const struct pep440_version *v)
{
	const struct pep440_version *s = &spec->version;
	struct pep440_version pub = *v;
	char text[256];

	pub.local[0] = '\0';
	switch (spec->op) {
	case PEP440_EQ:
	case PEP440_NE: {
		bool eq;
		if (spec->wildcard)
			eq = prefix_match(v, s, s->nrelease);
		else if (s->local[0])
			eq = pep440_compare(v, s) == 0;
		else
			eq = pep440_compare(&pub, s) == 0;
		return spec->op == PEP440_EQ ? eq : !eq;
	}
	case PEP440_COMPATIBLE:
		return pep440_compare(&pub, s) >= 0 && prefix_match(v, s, s->nrelease - 1);
	case PEP440_LE:
		return pep440_compare(&pub, s) <= 0;
	case PEP440_GE:
		return pep440_compare(&pub, s) >= 0;
	case PEP440_LT:
		if (pep440_compare(v, s) >= 0)
			return false;
		return !(pep440_is_prerelease(v) && !pep440_is_prerelease(s) && same_base(v, s));
	case PEP440_GT:
		if (pep440_compare(v, s) <= 0)
			return false;
		if (v->has_post && !s->has_post && same_base(v, s))
			return false;
		return !(v->local[0] && same_base(v, s));
	case PEP440_ARBITRARY:
		pep440_format(v, text, sizeof(text));
		return !strcasecmp(text, spec->arbitrary);
	}
	return false;
}

bool pep440_specset_contains(const struct pep440_specset *set, const struct pep440_version *v)
{
	for (size_t i = 0; i < set->n; i++)
		if (!pep440_spec_contains(&set->specs[i], v))
			return false;
	return true;
}

static int parse_spec(const char *s, size_t len, struct pep440_spec *spec, const char **why)
{
	static const struct {
		const char *text;
		enum pep440_op op;
	} ops[] = {
		{ "===", PEP440_ARBITRARY }, { "~=", PEP440_COMPATIBLE }, { "==", PEP440_EQ },
		{ "!=", PEP440_NE }, { "<=", PEP440_LE }, { ">=", PEP440_GE },
		{ "<", PEP440_LT }, { ">", PEP440_GT },
	};
	char text[256];
	size_t i;

	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	memset(spec, 0, sizeof(*spec));
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strncmp(s, ops[i].text, strlen(ops[i].text)))
			break;
	if (i == sizeof(ops) / sizeof(ops[0])) {
		*why = "a specifier starts with ~=, ==, !=, <=, >=, <, > or ===";
		return -1;
	}
	spec->op = ops[i].op;
	s += strlen(ops[i].text);
	len -= strlen(ops[i].text);
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	if (!len || len >= sizeof(text)) {
		*why = len ? "version too long" : "a specifier needs a version";
		return -1;
	}
	memcpy(text, s, len);
	text[len] = '\0';
	if (spec->op == PEP440_ARBITRARY) {
		if (len >= sizeof(spec->arbitrary) || strpbrk(text, " \t")) {
			*why = "invalid === operand";
			return -1;
		}
		memcpy(spec->arbitrary, text, len + 1);
		return 0;
	}
	if ((spec->op == PEP440_EQ || spec->op == PEP440_NE) && len > 2 && !strcmp(text + len - 2, ".*")) {
		spec->wildcard = true;
		text[len - 2] = '\0';
	}
	if (pep440_parse(text, &spec->version, why) < 0)
		return -1;
	const struct pep440_version *v = &spec->version;
	if (spec->wildcard && (v->pre_kind || v->has_post || v->has_dev || v->local[0])) {
		*why = "a .* prefix may only follow release numbers";
		return -1;
	}
	if (v->local[0] && spec->op != PEP440_EQ && spec->op != PEP440_NE) {
		*why = "a local version label is only allowed with == and !=";
		return -1;
	}
	if (spec->op == PEP440_COMPATIBLE && v->nrelease < 2) {
		*why = "~= needs at least two release numbers";
		return -1;
	}
	return 0;
}

int pep440_specset_parse(const char *s, struct pep440_specset *set, const char **why)
{
	set->n = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 0;
	for (;;) {
		size_t len = strcspn(s, ",");

		if (set->n == PEP440_MAX_SPECS) {
			*why = "too many specifiers";
			return -1;
		}
		if (parse_spec(s, len, &set->specs[set->n++], why) < 0)
			return -1;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}
