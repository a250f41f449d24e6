/* The interpreter: discovery, description (cached), wheel tags, markers. */
#include "config.h"
#include "pyenv.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "boundary.h"
#include "project.h"

#define ANSWER_MAX 65536

/* What the interpreter is asked, once per (path, size, mtime, kernel). */
static const char query[] =
	"import json, os, platform, sys, sysconfig\n"
	"i = sys.implementation\n"
	"v = '%d.%d.%d' % (i.version.major, i.version.minor, i.version.micro)\n"
	"if i.version.releaselevel != 'final': v += i.version.releaselevel[0] + str(i.version.serial)\n"
	"libc = os.confstr('CS_GNU_LIBC_VERSION') if hasattr(os, 'confstr') else ''\n"
	"print(json.dumps({'executable': os.path.realpath(sys.executable), 'base_prefix': sys.base_prefix,\n"
	" 'python_full_version': platform.python_version(), 'major': sys.version_info[0],\n"
	" 'minor': sys.version_info[1], 'implementation_name': i.name, 'implementation_version': v,\n"
	" 'os_name': os.name, 'sys_platform': sys.platform, 'platform_machine': platform.machine(),\n"
	" 'platform_release': platform.release(), 'platform_system': platform.system(),\n"
	" 'platform_version': platform.version(),\n"
	" 'platform_python_implementation': platform.python_implementation(),\n"
	" 'soabi': sysconfig.get_config_var('SOABI') or '', 'debug': bool(sysconfig.get_config_var('Py_DEBUG')),\n"
	" 'free_threaded': bool(sysconfig.get_config_var('Py_GIL_DISABLED')), 'glibc': libc or '',\n"
	" 'pointer_bits': 64 if sys.maxsize > 2**32 else 32}))\n";

/* An interpreter answers in well under a second; one that says nothing
 * for this long is not one pylock can use. */
#define PYENV_QUERY_IDLE_S 10

/* Runs the interpreter with the query; its stdout into out, the last line
 * of its stderr into the error (never onto the terminal: the UI draws there). */
static int ask(const char *exe, struct util_buf *out, struct pl_error *err)
{
	const char *argv[] = { exe, "-I", "-S", "-c", query, NULL };
	struct util_buf said = UTIL_BUF_INIT;
	int status = util_run(argv, out, &said, ANSWER_MAX, PYENV_QUERY_IDLE_S, err);

	if (status > 0) {
		const char *why = util_run_said(&said);
		pl_error_set(err, exe, 0, 0, "is not a Python 3 interpreter pylock can use (exit %d)%s%.300s", status,
			     why[0] ? ": " : "", why);
	}
	util_buf_free(&said);
	return status ? -1 : 0;
}

static char *str_field(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return util_xstrdup(s ? s : "");
}

static int describe(const char *exe, const char *text, size_t len, struct pyenv *py, struct pl_error *err)
{
	json_error_t jerr;
	json_t *o = json_loadb(text, len, 0, &jerr);

	if (!json_is_object(o)) {
		json_decref(o);
		return pl_error_set(err, exe, 0, 0, "gave an answer pylock cannot read");
	}
	py->executable = str_field(o, "executable");
	py->base_prefix = str_field(o, "base_prefix");
	py->version = str_field(o, "python_full_version");
	py->implementation = str_field(o, "implementation_name");
	py->soabi = str_field(o, "soabi");
	py->machine = str_field(o, "platform_machine");
	py->major = (int)json_integer_value(json_object_get(o, "major"));
	py->minor = (int)json_integer_value(json_object_get(o, "minor"));
	py->debug = json_is_true(json_object_get(o, "debug"));
	py->free_threaded = json_is_true(json_object_get(o, "free_threaded"));
	py->pointer_bits = (int)json_integer_value(json_object_get(o, "pointer_bits"));
	const char *glibc = json_string_value(json_object_get(o, "glibc"));
	if (glibc && sscanf(glibc, "glibc %d.%d", &py->glibc_major, &py->glibc_minor) != 2)
		py->glibc_major = py->glibc_minor = 0;
	snprintf(py->xy, sizeof(py->xy), "%d.%d", py->major, py->minor);
	for (int v = 0; v < PEP508_VAR_COUNT; v++)
		if (v != PEP508_EXTRA && v != PEP508_PYTHON_VERSION)
			py->vars[v] = str_field(o, pep508_var_name(v));
	py->vars[PEP508_PYTHON_VERSION] = util_xstrdup(py->xy);
	py->vars[PEP508_EXTRA] = util_xstrdup("");
	json_decref(o);
	if (py->major != 3 || py->minor < 0 || py->minor > 99 || !py->executable[0])
		return pl_error_set(err, exe, 0, 0, "is Python %s; pylock builds for Python 3", py->version);
	return 0;
}

/* The cache file for an interpreter: its answer changes only when the
 * binary or the kernel does. */
static char *cache_key(const char *exe, const struct stat *st)
{
	struct util_buf b = UTIL_BUF_INIT;
	struct utsname u;

	uname(&u);
	util_buf_printf(&b, "%s\n%lld\n%lld.%09ld\n%s %s\n", exe, (long long)st->st_size, (long long)st->st_mtim.tv_sec,
			st->st_mtim.tv_nsec, u.release, u.version);
	return util_buf_steal(&b);
}

static char *cache_path(const char *key)
{
	char name[64];
	struct pl_error err;

	snprintf(name, sizeof(name), "interpreters/%016llx.json", (unsigned long long)util_hash_str(key));
	return util_dir_file(UTIL_DIR_CACHE, name, &err);
}

int pyenv_load(const char *path, struct pyenv *py, struct pl_error *err)
{
	char real[PATH_MAX], *key, *cache;
	struct stat st;
	struct util_buf answer = UTIL_BUF_INIT;
	struct pl_error ignored;
	char *cached = NULL;
	size_t len;
	int rc = -1;

	memset(py, 0, sizeof(*py));
	if (!realpath(path, real) || stat(real, &st) < 0)
		return pl_error_errno(err, path, "cannot use the interpreter");
	key = cache_key(real, &st);
	cache = cache_path(key);
	/* The cache holds the key on its first line, then the answer. */
	if (cache && util_read_file(cache, ANSWER_MAX, &cached, &len, &ignored) == 0 &&
	    len > strlen(key) && !strncmp(cached, key, strlen(key))) {
		rc = describe(real, cached + strlen(key), len - strlen(key), py, err);
	} else if (ask(real, &answer, err) == 0) {
		rc = describe(real, answer.data, answer.len, py, err);
		if (rc == 0 && cache) {
			struct util_buf file = UTIL_BUF_INIT;
			char *dir = util_xstrdup(cache);
			*strrchr(dir, '/') = '\0';
			util_buf_printf(&file, "%s%s", key, answer.data);
			if (util_mkdir_p(dir, 0755, &ignored) == 0)
				util_write_atomic(cache, file.data, file.len, 0644, &ignored);
			util_buf_free(&file);
			free(dir);
		}
	}
	free(cached);
	free(key);
	free(cache);
	util_buf_free(&answer);
	if (rc == 0)
		pyenv_compute_tags(py);
	else
		pyenv_fini(py);
	return rc;
}

/* A command name that can only be an interpreter's (python3, python3.12,
 * python3.13t, pypy3): project content may pick one, never any program. */
static bool python_name(const char *name)
{
	const char *p = !strncmp(name, "python", 6) ? name + 6 : !strncmp(name, "pypy", 4) ? name + 4 : NULL;

	if (!p)
		return false;
	p += strspn(p, "0123456789.");
	return !*p || (*p == 't' && !p[1]);
}

/* The interpreter the source names, resolved: see pyenv.h. */
static char *choose(const struct pyenv_source *src, const char *const *untrusted, size_t nun, char **pinned_real,
		    struct pl_error *err)
{
	const char *want = src->requested && src->requested[0] ? src->requested
			 : src->pinned && src->pinned[0] ? src->pinned : "python3";
	char real[PATH_MAX];

	*pinned_real = src->pinned && strchr(src->pinned, '/') && realpath(src->pinned, real) ? util_xstrdup(real) : NULL;
	if (want == src->pinned && *pinned_real)
		return util_xstrdup(*pinned_real);
	if (want == src->pinned && strchr(want, '/'))
		return pl_error_errno(err, want, "cannot use the interpreter"), NULL;
	if (!strchr(want, '/') && (want != src->requested || python_name(want)))
		return boundary_exec_search(want, untrusted, nun, err);
	/* Written in the project, which a sandbox can write: only the
	 * user's own pin may name a file to run. */
	if (strchr(want, '/') && *pinned_real && realpath(want, real) && !strcmp(real, *pinned_real))
		return util_xstrdup(real);
	pl_error_set(err, src->requested_file, src->line, src->col,
		     "[tool.pylock] python names %s (%s); pylock runs on the host only an interpreter's command name "
		     "found on PATH (python = \"python3.12\") or the interpreter you pin in config.yaml (python: PATH)",
		     strchr(want, '/') ? "a path" : "a command that is not an interpreter's", want);
	return NULL;
}

int pyenv_find(const struct pyenv_source *src, struct pyenv *py, struct pl_error *err)
{
	const char *const untrusted[] = { src->project_tree };
	size_t nun = src->project_tree ? 1 : 0;
	char *pinned_real = NULL, *path = choose(src, untrusted, nun, &pinned_real, err), *exe;
	int rc;

	memset(py, 0, sizeof(*py));
	if (!path) {
		free(pinned_real);
		return -1;
	}
	rc = pyenv_load(path, py, err);
	/* What the interpreter says it is (sys.executable) is what sync runs
	 * and environments link: it passes the same test, unless pinned. */
	if (rc == 0 && !(pinned_real && !strcmp(py->executable, pinned_real))) {
		if (!(exe = boundary_exec_check(py->executable, untrusted, nun, err))) {
			pyenv_fini(py);
			rc = -1;
		}
		free(exe);
	}
	free(pinned_real);
	free(path);
	return rc;
}

int pyenv_find_for_project(const struct project *proj, const char *pinned, struct pyenv *py, struct pl_error *err)
{
	const struct toml_value *python = toml_get(proj->tool_pylock, "python");
	struct pyenv_source src = { .pinned = pinned };
	struct pl_error ignored;
	int rc;

	memset(py, 0, sizeof(*py));
	if (python && python->type != TOML_STRING)
		return pl_error_set(err, proj->pyproject_path, python->line, python->col,
				    "[tool.pylock] python must be a string (a command name)");
	if (python) {
		src.requested = python->u.str.ptr;
		src.requested_file = proj->pyproject_path;
		src.line = python->line;
		src.col = python->col;
	}
	/* A folder refused as a sandbox's tree is untrusted all the same. */
	if (!(src.project_tree = boundary_writable_tree(proj->root, &ignored)))
		src.project_tree = util_xstrdup(proj->root);
	rc = pyenv_find(&src, py, err);
	free((char *)src.project_tree);
	return rc;
}

void pyenv_fini(struct pyenv *py)
{
	free(py->executable);
	free(py->base_prefix);
	free(py->version);
	free(py->implementation);
	free(py->soabi);
	free(py->machine);
	for (int v = 0; v < PEP508_VAR_COUNT; v++)
		free(py->vars[v]);
	for (size_t i = 0; i < py->ntags; i++)
		free(py->tags[i]);
	free(py->tags);
	memset(py, 0, sizeof(*py));
}

void pyenv_marker_env(const struct pyenv *py, struct pep508_env *env)
{
	memset(env, 0, sizeof(*env));
	for (int v = 0; v < PEP508_VAR_COUNT; v++)
		env->vars[v] = py->vars[v];
}

/* ---- tags ---- */

struct taglist {
	char **items;
	size_t n;
};

static void push(struct taglist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void push(struct taglist *l, const char *fmt, ...)
{
	struct util_buf b = UTIL_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	util_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	l->items = util_xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
	l->items[l->n++] = util_buf_steal(&b);
}

/* Linux platform tags, most specific first: manylinux_2_N down to the
 * architecture's oldest (PEP 600), each legacy alias right after its
 * PEP 600 twin (manylinux2014 = 2_17, manylinux2010 = 2_12, manylinux1 =
 * 2_5), then linux_ARCH. */
static void linux_platforms(const struct pyenv *py, struct taglist *plats)
{
	char arch[64];

	snprintf(arch, sizeof(arch), "%s", py->machine);
	if (py->pointer_bits == 32 && !strcmp(arch, "x86_64"))
		snprintf(arch, sizeof(arch), "i686");
	else if (py->pointer_bits == 32 && !strcmp(arch, "aarch64"))
		snprintf(arch, sizeof(arch), "armv7l");
	for (char *c = arch; *c; c++)
		if (*c == '-' || *c == '.' || *c == ' ')
			*c = '_';
	bool old_x86 = !strcmp(arch, "x86_64") || !strcmp(arch, "i686");
	bool has_2014 = old_x86 || !strcmp(arch, "aarch64") || !strcmp(arch, "armv7l") || !strcmp(arch, "ppc64") ||
			!strcmp(arch, "ppc64le") || !strcmp(arch, "s390x");
	int oldest = old_x86 ? 5 : 17;
	if (py->glibc_major == 2)
		for (int minor = py->glibc_minor; minor >= oldest; minor--) {
			push(plats, "manylinux_2_%d_%s", minor, arch);
			if (minor == 17 && has_2014)
				push(plats, "manylinux2014_%s", arch);
			if (minor == 12 && old_x86)
				push(plats, "manylinux2010_%s", arch);
			if (minor == 5 && old_x86)
				push(plats, "manylinux1_%s", arch);
		}
	push(plats, "linux_%s", arch);
}

void pyenv_compute_tags(struct pyenv *py)
{
	struct taglist plats = { 0 }, tags = { 0 };
	bool cpython = !strcmp(py->implementation, "cpython");
	char interp[32], abi[48];
	int M = py->major, m = py->minor;

	linux_platforms(py, &plats);
	if (cpython) {
		snprintf(interp, sizeof(interp), "cp%d%d", M, m);
		snprintf(abi, sizeof(abi), "cp%d%d%s%s", M, m, py->debug ? "d" : "", py->free_threaded ? "t" : "");
	} else {
		/* Other implementations: their name's first two letters, and the
		 * SOABI up to the platform as the ABI (e.g. pypy39_pp73). */
		snprintf(interp, sizeof(interp), "%.2s%d%d", py->implementation, M, m);
		size_t k = 0;
		for (const char *c = py->soabi; *c && k + 1 < sizeof(abi); c++) {
			if (*c == '-' && k && strchr(c + 1, '-') && !strchr(strchr(c + 1, '-') + 1, '-'))
				break;
			abi[k++] = (char)(*c == '-' || *c == '.' ? '_' : *c);
		}
		abi[k] = '\0';
	}
	bool abi3 = cpython && !py->free_threaded;
	for (size_t p = 0; abi[0] && p < plats.n; p++)
		push(&tags, "%s-%s-%s", interp, abi, plats.items[p]);
	for (size_t p = 0; abi3 && p < plats.n; p++)
		push(&tags, "%s-abi3-%s", interp, plats.items[p]);
	for (size_t p = 0; p < plats.n; p++)
		push(&tags, "%s-none-%s", interp, plats.items[p]);
	for (int k = m - 1; abi3 && k >= 2; k--)
		for (size_t p = 0; p < plats.n; p++)
			push(&tags, "cp%d%d-abi3-%s", M, k, plats.items[p]);
	/* Pure-Python tags, for py3M, py3, then py3(M-1) down to py30: first
	 * on each platform, then cp3M-none-any, then each with "any". */
	struct taglist pys = { 0 };
	push(&pys, "py%d%d", M, m);
	push(&pys, "py%d", M);
	for (int k = m - 1; k >= 0; k--)
		push(&pys, "py%d%d", M, k);
	for (size_t v = 0; v < pys.n; v++)
		for (size_t p = 0; p < plats.n; p++)
			push(&tags, "%s-none-%s", pys.items[v], plats.items[p]);
	push(&tags, "%s-none-any", interp);
	for (size_t v = 0; v < pys.n; v++) {
		push(&tags, "%s-none-any", pys.items[v]);
		free(pys.items[v]);
	}
	free(pys.items);
	for (size_t p = 0; p < plats.n; p++)
		free(plats.items[p]);
	free(plats.items);
	py->tags = tags.items;
	py->ntags = tags.n;
}

static long tag_rank(const struct pyenv *py, const char *py_t, size_t pl, const char *abi_t, size_t al,
		     const char *plat_t, size_t tl)
{
	for (size_t i = 0; i < py->ntags; i++) {
		const char *t = py->tags[i];
		if (!strncmp(t, py_t, pl) && t[pl] == '-' && !strncmp(t + pl + 1, abi_t, al) && t[pl + 1 + al] == '-' &&
		    strlen(t + pl + 2 + al) == tl && !strncmp(t + pl + 2 + al, plat_t, tl))
			return (long)i;
	}
	return -1;
}

long pyenv_wheel_rank(const struct pyenv *py, const char *filename)
{
	size_t len = strlen(filename);
	const char *dash[6];
	int n = 0;

	if (len < 5 || len > 512 || strcmp(filename + len - 4, ".whl"))
		return -1;
	for (const char *c = filename + len - 4; c > filename && n < 6; c--)
		if (c[-1] == '-')
			dash[n++] = c - 1;
	if (n < 4)
		return -1;
	/* dash[0] before the platform, dash[1] before the ABI, dash[2] before
	 * the Python tag. */
	const char *plat = dash[0] + 1, *abi = dash[1] + 1, *pyt = dash[2] + 1;
	size_t platlen = (size_t)(filename + len - 4 - plat), abilen = (size_t)(dash[0] - abi),
	       pylen = (size_t)(dash[1] - pyt);
	long best = -1;
	/* Compressed tag sets: every combination of the dotted parts. */
	for (const char *p = pyt; p < pyt + pylen;) {
		const char *pe = memchr(p, '.', (size_t)(pyt + pylen - p));
		size_t pl = pe ? (size_t)(pe - p) : (size_t)(pyt + pylen - p);
		for (const char *a = abi; a < abi + abilen;) {
			const char *ae = memchr(a, '.', (size_t)(abi + abilen - a));
			size_t al = ae ? (size_t)(ae - a) : (size_t)(abi + abilen - a);
			for (const char *t = plat; t < plat + platlen;) {
				const char *te = memchr(t, '.', (size_t)(plat + platlen - t));
				size_t tl = te ? (size_t)(te - t) : (size_t)(plat + platlen - t);
				long r = tag_rank(py, p, pl, a, al, t, tl);
				if (r >= 0 && (best < 0 || r < best))
					best = r;
				t += tl + 1;
			}
			a += al + 1;
		}
		p += pl + 1;
	}
	return best;
}

void pyenv_identity(const struct pyenv *py, struct util_buf *out)
{
	util_buf_printf(out, "python %s\nversion %s\nimplementation %s\nsoabi %s\nmachine %s\nglibc %d.%d\n",
			py->executable, py->version, py->implementation, py->soabi, py->machine, py->glibc_major,
			py->glibc_minor);
}
