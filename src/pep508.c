/* Environment markers: a small recursive-descent parser over the grammar in
 * "Dependency specifiers" (marker_or / marker_and / marker_expr), and their
 * evaluation with the spec's version-comparison rules. */
#include "config.h"
#include "pep508.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pep440.h"
#include "util.h"

enum node_kind { NODE_OR, NODE_AND, NODE_CMP };

enum cmp_op { OP_LT, OP_LE, OP_NE, OP_EQ, OP_GE, OP_GT, OP_COMPAT, OP_ARBITRARY, OP_IN, OP_NOT_IN };

/* One side of a comparison: a variable or a quoted string. */
struct operand {
	int var;		/* enum pep508_var, or -1 for a literal */
	char *text;
};

struct pep508_marker {
	enum node_kind kind;
	struct pep508_marker *left, *right;	/* NODE_OR, NODE_AND */
	struct operand lhs, rhs;		/* NODE_CMP */
	enum cmp_op op;
};

static const struct {
	const char *name;
	int var;
} var_names[] = {
	{ "python_version", PEP508_PYTHON_VERSION },
	{ "python_full_version", PEP508_PYTHON_FULL_VERSION },
	{ "os_name", PEP508_OS_NAME },
	{ "sys_platform", PEP508_SYS_PLATFORM },
	{ "platform_release", PEP508_PLATFORM_RELEASE },
	{ "platform_system", PEP508_PLATFORM_SYSTEM },
	{ "platform_version", PEP508_PLATFORM_VERSION },
	{ "platform_machine", PEP508_PLATFORM_MACHINE },
	{ "platform_python_implementation", PEP508_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "implementation_name", PEP508_IMPLEMENTATION_NAME },
	{ "implementation_version", PEP508_IMPLEMENTATION_VERSION },
	{ "extra", PEP508_EXTRA },
	{ "extras", PEP508_EXTRAS },
	{ "dependency_groups", PEP508_DEPENDENCY_GROUPS },
	/* Legacy spellings that tools still write (accepted by packaging). */
	{ "os.name", PEP508_OS_NAME },
	{ "sys.platform", PEP508_SYS_PLATFORM },
	{ "platform.version", PEP508_PLATFORM_VERSION },
	{ "platform.machine", PEP508_PLATFORM_MACHINE },
	{ "platform.python_implementation", PEP508_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "python_implementation", PEP508_PLATFORM_PYTHON_IMPLEMENTATION },
};

const char *pep508_var_name(enum pep508_var var)
{
	for (size_t i = 0; i < sizeof(var_names) / sizeof(var_names[0]); i++)
		if (var_names[i].var == (int)var)
			return var_names[i].name;
	return "?";
}

struct parser {
	const char *s, *p;
	const char *why;
	int depth;
};

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

static struct pep508_marker *fail(struct parser *ps, const char *why)
{
	if (!ps->why)
		ps->why = why;
	return NULL;
}

static bool parse_operand(struct parser *ps, struct operand *o)
{
	skip_ws(ps);
	if (*ps->p == '"' || *ps->p == '\'') {
		char q = *ps->p++;
		const char *start = ps->p;

		while (*ps->p && *ps->p != q)
			ps->p++;
		if (!*ps->p) {
			fail(ps, "unterminated string");
			return false;
		}
		o->var = -1;
		o->text = util_xstrndup(start, (size_t)(ps->p - start));
		ps->p++;
		return true;
	}
	for (size_t i = 0; i < sizeof(var_names) / sizeof(var_names[0]); i++) {
		size_t n = strlen(var_names[i].name);
		if (!strncmp(ps->p, var_names[i].name, n) &&
		    !(isalnum((unsigned char)ps->p[n]) || ps->p[n] == '_' || ps->p[n] == '.')) {
			o->var = var_names[i].var;
			o->text = NULL;
			ps->p += n;
			return true;
		}
	}
	fail(ps, "expected a marker variable or a quoted string");
	return false;
}

static bool keyword(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	skip_ws(ps);
	if (strncmp(ps->p, word, n) || isalnum((unsigned char)ps->p[n]) || ps->p[n] == '_')
		return false;
	ps->p += n;
	return true;
}

static bool parse_op(struct parser *ps, enum cmp_op *op)
{
	static const struct {
		const char *text;
		enum cmp_op op;
	} ops[] = {
		{ "===", OP_ARBITRARY }, { "~=", OP_COMPAT }, { "==", OP_EQ }, { "!=", OP_NE },
		{ "<=", OP_LE }, { ">=", OP_GE }, { "<", OP_LT }, { ">", OP_GT },
	};
	skip_ws(ps);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strncmp(ps->p, ops[i].text, strlen(ops[i].text))) {
			ps->p += strlen(ops[i].text);
			*op = ops[i].op;
			return true;
		}
	if (keyword(ps, "in")) {
		*op = OP_IN;
		return true;
	}
	const char *save = ps->p;
	if (keyword(ps, "not") && keyword(ps, "in")) {
		*op = OP_NOT_IN;
		return true;
	}
	ps->p = save;
	fail(ps, "expected a comparison operator");
	return false;
}

static struct pep508_marker *parse_or(struct parser *ps);

static struct pep508_marker *parse_atom(struct parser *ps)
{
	struct pep508_marker *m;

	skip_ws(ps);
	if (*ps->p == '(') {
		if (++ps->depth > PEP508_MAX_DEPTH)
			return fail(ps, "parentheses nested too deeply");
		ps->p++;
		if (!(m = parse_or(ps)))
			return NULL;
		skip_ws(ps);
		if (*ps->p != ')') {
			pep508_free(m);
			return fail(ps, "expected ')'");
		}
		ps->p++;
		ps->depth--;
		return m;
	}
	m = util_xcalloc(1, sizeof(*m));
	m->kind = NODE_CMP;
	if (!parse_operand(ps, &m->lhs) || !parse_op(ps, &m->op) || !parse_operand(ps, &m->rhs)) {
		pep508_free(m);
		return NULL;
	}
	if (m->lhs.var >= 0 && m->rhs.var >= 0) {
		pep508_free(m);
		return fail(ps, "a comparison needs a quoted string on one side");
	}
	return m;
}

static struct pep508_marker *join(enum node_kind kind, struct pep508_marker *l, struct pep508_marker *r)
{
	struct pep508_marker *m = util_xcalloc(1, sizeof(*m));

	m->kind = kind;
	m->left = l;
	m->right = r;
	return m;
}

static struct pep508_marker *parse_and(struct parser *ps)
{
	struct pep508_marker *m = parse_atom(ps), *r;

	while (m && keyword(ps, "and")) {
		if (!(r = parse_atom(ps))) {
			pep508_free(m);
			return NULL;
		}
		m = join(NODE_AND, m, r);
	}
	return m;
}

static struct pep508_marker *parse_or(struct parser *ps)
{
	struct pep508_marker *m = parse_and(ps), *r;

	while (m && keyword(ps, "or")) {
		if (!(r = parse_and(ps))) {
			pep508_free(m);
			return NULL;
		}
		m = join(NODE_OR, m, r);
	}
	return m;
}

struct pep508_marker *pep508_parse(const char *s, const char **why, size_t *offset)
{
	struct parser ps = { s, s, NULL, 0 };
	struct pep508_marker *m;

	if (strlen(s) > PEP508_MAX_MARKER) {
		*why = "marker too long";
		*offset = 0;
		return NULL;
	}
	m = parse_or(&ps);
	if (m) {
		skip_ws(&ps);
		if (*ps.p) {
			pep508_free(m);
			m = fail(&ps, "expected 'and', 'or' or the end of the marker");
		}
	}
	if (!m) {
		*why = ps.why;
		*offset = (size_t)(ps.p - s);
	}
	return m;
}

void pep508_free(struct pep508_marker *m)
{
	if (!m)
		return;
	pep508_free(m->left);
	pep508_free(m->right);
	free(m->lhs.text);
	free(m->rhs.text);
	free(m);
}

static bool in_set(const char *name, const char *const *set, size_t n)
{
	char a[PEP508_MAX_NAME], b[PEP508_MAX_NAME];

	if (strlen(name) >= sizeof(a))
		return false;
	pep508_normalize_name(name, a);
	for (size_t i = 0; i < n; i++)
		if (strlen(set[i]) < sizeof(b)) {
			pep508_normalize_name(set[i], b);
			if (!strcmp(a, b))
				return true;
		}
	return false;
}

static const char *value_of(const struct operand *o, const struct pep508_env *env)
{
	if (o->var < 0)
		return o->text;
	return env->vars[o->var] ? env->vars[o->var] : "";
}

/* Version comparison when the right side reads as a specifier and the left
 * as a version; Python's string comparison otherwise; undefined is false. */
static bool compare(const char *lhs, enum cmp_op op, const char *rhs)
{
	static const char *const op_text[] = {
		[OP_LT] = "<", [OP_LE] = "<=", [OP_NE] = "!=", [OP_EQ] = "==",
		[OP_GE] = ">=", [OP_GT] = ">", [OP_COMPAT] = "~=", [OP_ARBITRARY] = "===",
	};
	struct pep440_specset set;
	struct pep440_version v;
	struct util_buf spec = UTIL_BUF_INIT;
	const char *why;
	bool ok;
	int r;

	util_buf_printf(&spec, "%s%s", op_text[op], rhs);
	ok = pep440_specset_parse(spec.data, &set, &why) == 0 && set.n == 1 &&
	     pep440_parse(lhs, &v, &why) == 0;
	util_buf_free(&spec);
	if (ok)
		return pep440_specset_contains(&set, &v);
	r = strcmp(lhs, rhs);
	switch (op) {
	case OP_LT: return r < 0;
	case OP_LE: return r <= 0;
	case OP_NE: return r != 0;
	case OP_EQ: return r == 0;
	case OP_GE: return r >= 0;
	case OP_GT: return r > 0;
	default: return false;
	}
}

static bool eval_cmp(const struct pep508_marker *m, const struct pep508_env *env)
{
	const struct operand *set_side = m->rhs.var >= PEP508_VAR_COUNT ? &m->rhs
				       : m->lhs.var >= PEP508_VAR_COUNT ? &m->lhs : NULL;

	if (set_side) {
		/* Only "'name' in extras" and its negation mean something. */
		if (set_side != &m->rhs || (m->op != OP_IN && m->op != OP_NOT_IN))
			return false;
		bool found = m->rhs.var == PEP508_EXTRAS
			? in_set(m->lhs.text, env->extras, env->n_extras)
			: in_set(m->lhs.text, env->groups, env->n_groups);
		return m->op == OP_IN ? found : !found;
	}
	const char *lhs = value_of(&m->lhs, env), *rhs = value_of(&m->rhs, env);
	if (m->op == OP_IN || m->op == OP_NOT_IN) {
		bool found = strstr(rhs, lhs) != NULL;
		return m->op == OP_IN ? found : !found;
	}
	if (m->lhs.var == PEP508_EXTRA || m->rhs.var == PEP508_EXTRA) {
		/* Extra names compare normalised (PEP 685). */
		if (m->op != OP_EQ && m->op != OP_NE)
			return false;
		const char *one = lhs;
		bool eq = in_set(rhs, &one, 1);
		return m->op == OP_EQ ? eq : !eq;
	}
	return compare(lhs, m->op, rhs);
}

bool pep508_eval(const struct pep508_marker *m, const struct pep508_env *env)
{
	switch (m->kind) {
	case NODE_OR:
		return pep508_eval(m->left, env) || pep508_eval(m->right, env);
	case NODE_AND:
		return pep508_eval(m->left, env) && pep508_eval(m->right, env);
	case NODE_CMP:
		return eval_cmp(m, env);
	}
	return false;
}

static bool is_name_sep(char c)
{
	return c == '.' || c == '_' || c == '-';
}

bool pep508_valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= PEP508_MAX_NAME || !isalnum((unsigned char)name[0]) ||
	    !isalnum((unsigned char)name[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !is_name_sep(name[i]))
			return false;
	return true;
}

/* ---- requirements ---- */

static const char *blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A name ([A-Za-z0-9._-]+, checked by pep508_valid_name) into out. */
static const char *identifier(const char *p, char out[PEP508_MAX_NAME])
{
	size_t n = 0;

	while (isalnum((unsigned char)p[n]) || is_name_sep(p[n]))
		n++;
	if (n == 0 || n >= PEP508_MAX_NAME)
		return NULL;
	memcpy(out, p, n);
	out[n] = '\0';
	return pep508_valid_name(out) ? p + n : NULL;
}

static int req_fail(const char *s, const char *at, const char *msg, const char **why, size_t *offset)
{
	*why = msg;
	*offset = (size_t)(at - s);
	return -1;
}

int pep508_requirement_parse(const char *s, struct pep508_requirement *r, const char **why, size_t *offset)
{
	const char *p = blanks(s), *q, *spec_start, *spec_end;
	char spec[512];

	/* Field by field: the struct is ~30 KB, almost all of it the extras'
	 * and specifiers' room, and requirements are parsed by the thousand. */
	r->name[0] = 0;
	r->nextras = 0;
	r->spec.n = 0;
	r->url = NULL;
	r->marker = NULL;
	r->head_len = r->marker_at = 0;
	if (strlen(s) > PEP508_MAX_MARKER)
		return req_fail(s, s, "requirement too long", why, offset);
	if (!(q = identifier(p, r->name)))
		return req_fail(s, p, "expected a project name", why, offset);
	p = blanks(q);
	if (*p == '[') {
		p = blanks(p + 1);
		while (*p != ']') {
			if (r->nextras == PEP508_MAX_EXTRAS)
				return req_fail(s, p, "too many extras", why, offset);
			if (!(q = identifier(p, r->extras[r->nextras])))
				return req_fail(s, p, "expected an extra's name", why, offset);
			r->nextras++;
			p = blanks(q);
			if (*p == ',')
				p = blanks(p + 1);
			else if (*p != ']')
				return req_fail(s, p, "expected ',' or ']' after an extra", why, offset);
		}
		p = blanks(p + 1);
	}
	if (*p == '@') {
		q = p = blanks(p + 1);
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (p == q)
			return req_fail(s, q, "expected a URL after '@'", why, offset);
		/* A URL ends at a blank: in "pkg @ https://x/a.whl;x" the ';' is
		 * the URL's. */
		r->url = util_xstrndup(q, (size_t)(p - q));
		p = blanks(p);
		if (*p && *p != ';') {
			pep508_requirement_fini(r);
			return req_fail(s, p, "expected ';' or the end after the URL", why, offset);
		}
	} else {
		spec_start = p;
		if (*p == '(') {
			spec_start = p = blanks(p + 1);
			while (*p && *p != ')')
				p++;
			if (!*p)
				return req_fail(s, p, "expected ')' after the version specifier", why, offset);
			spec_end = p++;
		} else {
			while (*p && *p != ';')
				p++;
			spec_end = p;
		}
		while (spec_end > spec_start && (spec_end[-1] == ' ' || spec_end[-1] == '\t'))
			spec_end--;
		if ((size_t)(spec_end - spec_start) >= sizeof(spec))
			return req_fail(s, spec_start, "version specifier too long", why, offset);
		memcpy(spec, spec_start, (size_t)(spec_end - spec_start));
		spec[spec_end - spec_start] = '\0';
		if (spec[0] && !strchr("<>=!~", spec[0]))
			return req_fail(s, spec_start, "expected a version specifier, '@', ';' or the end", why, offset);
		if (pep440_specset_parse(spec, &r->spec, why) < 0) {
			*offset = (size_t)(spec_start - s);
			return -1;
		}
		p = blanks(p);
	}
	r->head_len = (size_t)(p - s);
	while (r->head_len > 0 && (s[r->head_len - 1] == ' ' || s[r->head_len - 1] == '\t'))
		r->head_len--;
	if (*p == ';') {
		const char *m = blanks(p + 1);
		size_t at;

		r->marker_at = (size_t)(m - s);
		if (!(r->marker = pep508_parse(m, why, &at))) {
			*offset = r->marker_at + at;
			pep508_requirement_fini(r);
			return -1;
		}
	} else if (*p) {
		pep508_requirement_fini(r);
		return req_fail(s, p, "expected ';' or the end", why, offset);
	}
	return 0;
}

void pep508_requirement_fini(struct pep508_requirement *r)
{
	free(r->url);
	pep508_free(r->marker);
	r->url = NULL;
	r->marker = NULL;
}

void pep508_normalize_name(const char *name, char *out)
{
	size_t o = 0;

	for (const char *p = name; *p; p++) {
		if (is_name_sep(*p)) {
			if (o == 0 || out[o - 1] != '-')
				out[o++] = '-';
		} else
			out[o++] = (char)tolower((unsigned char)*p);
	}
	out[o] = '\0';
}

bool pep508_is_normalized(const char *name)
{
	char buf[PEP508_MAX_NAME];

	if (strlen(name) >= sizeof(buf))
		return false;
	pep508_normalize_name(name, buf);
	return !strcmp(buf, name);
}
