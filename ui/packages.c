/* The Packages tab: what the lock pins, with each package's signature
 * status from the last verify (v) and, when it is not good, why; Enter
 * opens a package's details (files, hashes, source, marker, dependencies,
 * dependents, the signature's evidence and the rule that decided), Esc
 * goes back to the list. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "lock.h"
#include "pep508.h"

struct packages {
	struct lock *lock;
	size_t *shown;		/* packages passing the tab's filter, by index */
	char error[400];
	/* Enter: one package's details, scrolled in app->detail; the list's
	 * place is kept to go back to. */
	const struct lock_package *details;
	struct list back;
	struct util_buf text;	/* the details, one line per '\n' */
	size_t *lines;		/* each line's offset in text */
};

static void packages_done(struct app *app)
{
	struct packages *s = app->tab_state[TAB_PACKAGES];

	if (s) {
		lock_free(s->lock);
		free(s->shown);
		util_buf_free(&s->text);
		free(s->lines);
		free(s);
	}
	app->tab_state[TAB_PACKAGES] = NULL;
}

static void packages_open(struct app *app)
{
	struct project_row *r = app_selected(app);
	struct packages *s = util_xcalloc(1, sizeof(*s));
	struct pl_error err;

	app->tab_state[TAB_PACKAGES] = s;
	if (!r || !r->p->lock_path) {
		snprintf(s->error, sizeof(s->error), "%s", r ? "no lockfile" : "");
		return;
	}
	if (!(s->lock = lock_read(r->p->lock_path, &err)))
		snprintf(s->error, sizeof(s->error), "%d:%d: %.300s", err.line, err.col, err.msg);
	else
		packages_refilter(app);
}

/* The filter matches a package's name, version, source or status. */
static bool passes(const struct app *app, const struct lock_package *p, const struct sig_status *sig)
{
	const char *f = app->detail_filter;

	return !f[0] || strcasestr(p->name, f) || (p->version && strcasestr(p->version, f)) ||
	       strcasestr(lock_source_name(p->source), f) || (sig && strcasestr(sig->status, f));
}

static const struct sig_status *sig_of(const struct project_row *r, const struct lock_package *p)
{
	for (size_t i = 0; r && i < r->nsigs; i++)
		if (!strcmp(r->sigs[i].name, p->name))
			return &r->sigs[i];
	return NULL;
}

void packages_refilter(struct app *app)
{
	struct packages *s = app->tab == TAB_PACKAGES ? app->tab_state[TAB_PACKAGES] : NULL;
	size_t n = 0;

	if (!s || !s->lock)
		return;
	if (s->details) {
		s->details = NULL;
		app->detail = s->back;
	}
	free(s->shown);
	s->shown = util_xcalloc(s->lock->npackages + 1, sizeof(*s->shown));
	for (size_t i = 0; i < s->lock->npackages; i++)
		if (passes(app, &s->lock->packages[i], sig_of(app_selected(app), &s->lock->packages[i])))
			s->shown[n++] = i;
	list_set_count(&app->detail, n);
}

size_t packages_total(const struct app *app)
{
	const struct packages *s = app->tab == TAB_PACKAGES ? app->tab_state[TAB_PACKAGES] : NULL;

	return s && s->lock ? s->lock->npackages : 0;
}

const char *packages_selected(const struct app *app)
{
	const struct packages *s = app->tab == TAB_PACKAGES ? app->tab_state[TAB_PACKAGES] : NULL;

	if (s && s->details)
		return s->details->name;
	if (!s || !s->lock || app->detail.cursor >= app->detail.n)
		return NULL;
	return s->lock->packages[s->shown[app->detail.cursor]].name;
}

static enum role status_role(const char *status)
{
	if (!strcmp(status, "verified"))
		return ROLE_VERIFIED;
	if (!strcmp(status, "allowed-unsigned") || !strcmp(status, "local") || !strcmp(status, "unsigned") ||
	    !strcmp(status, "unhashed") || !strcmp(status, "missing"))
		return ROLE_UNSIGNED;
	return ROLE_INVALID;
}

static void package_row(void *arg, size_t i, int y, int x, int w, bool selected)
{
	struct app *app = arg;
	struct packages *s = app->tab_state[TAB_PACKAGES];
	const struct lock_package *p = &s->lock->packages[s->shown[i]];
	const struct sig_status *sig = sig_of(app_selected(app), p);
	int sel = selected && app->pane == PANE_DETAIL ? app->theme.attr[ROLE_SELECTED] : 0;
	int nw = w > 60 ? 24 : w / 3, vw = w > 40 ? 12 : 8, sw = w - nw - vw - 2;
	char source[200], status[300];

	snprintf(source, sizeof(source), "%s%s%s", lock_source_name(p->source), p->index ? " " : "",
		 p->index ? p->index : "");
	if (sig && status_role(sig->status) == ROLE_INVALID)
		snprintf(status, sizeof(status), "%s: %s", sig->status, sig->reason);
	else if (sig)
		snprintf(status, sizeof(status), "%s%s%s", sig->status, sig->signer[0] ? " " : "", sig->signer);
	else
		snprintf(status, sizeof(status), "not verified (v)");
	int stw = sw > 60 && !(sig && status_role(sig->status) == ROLE_INVALID) ? 60 : sw;
	list_text(y, x, nw, sel ? sel : app->theme.attr[ROLE_NORMAL], p->name);
	list_text(y, x + nw, 1, sel, "");
	list_text(y, x + nw + 1, vw, sel ? sel : app->theme.attr[ROLE_NORMAL], p->version ? p->version : "-");
	list_text(y, x + nw + 1 + vw, 1, sel, "");
	list_text(y, x + nw + 2 + vw, stw, sel ? sel : app->theme.attr[sig ? status_role(sig->status) : ROLE_MUTED],
		  status);
	if (sw > stw + 1) {
		list_text(y, x + nw + 2 + vw + stw, 1, sel, "");
		list_text(y, x + nw + 3 + vw + stw, sw - stw - 1, sel ? sel : app->theme.attr[ROLE_MUTED], source);
	}
}

/* ---- one package's details ---- */

static void line(struct util_buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(struct util_buf *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_buf_vprintf(t, fmt, ap);
	va_end(ap);
	util_buf_putc(t, '\n');
}

static const char *dep_name(const struct toml_value *d)
{
	const struct toml_value *n = d->type == TOML_TABLE ? toml_get(d, "name") : NULL;

	return n && n->type == TOML_STRING ? n->u.str.ptr : NULL;
}

static void file_lines(struct util_buf *t, const char *kind, const struct lock_file *f)
{
	if (f->size >= 0)
		line(t, "  %s %s  %lld bytes", kind, f->name ? f->name : "?", (long long)f->size);
	else
		line(t, "  %s %s", kind, f->name ? f->name : "?");
	for (size_t i = 0; i < f->nhashes; i++)
		line(t, "      %s %s", f->hashes[i].algo, f->hashes[i].value);
	if (f->url || f->path)
		line(t, "      %s %s", f->url ? "url" : "path", f->url ? f->url : f->path);
}

static void build_details(struct app *app, struct packages *s)
{
	const struct lock_package *p = s->details;
	const struct sig_status *sig = sig_of(app_selected(app), p);
	struct util_buf *t = &s->text;
	char norm[PEP508_MAX_NAME];
	bool any = false;

	util_buf_truncate(t, 0);
	line(t, "%s %s  (Esc back to the list)", p->name, p->version ? p->version : "(no version)");
	line(t, "source       %s%s%s", lock_source_name(p->source), p->index ? "  index " : "", p->index ? p->index : "");
	line(t, "marker       %s", p->marker ? p->marker : "none: installed wherever the lock is");
	if (p->requires_python)
		line(t, "requires     python %s", p->requires_python);
	line(t, "files        %zu", p->nwheels + p->has_sdist + p->has_archive);
	for (size_t i = 0; i < p->nwheels; i++)
		file_lines(t, "wheel", &p->wheels[i]);
	if (p->has_sdist)
		file_lines(t, "sdist", &p->sdist);
	if (p->has_archive)
		file_lines(t, "archive", &p->archive);
	util_buf_puts(t, "dependencies");
	for (size_t i = 0; p->dependencies && i < p->dependencies->u.array.len; i++) {
		const char *n = dep_name(p->dependencies->u.array.items[i]);
		util_buf_printf(t, "%s%s", any ? ", " : " ", n ? n : "?");
		any = true;
	}
	line(t, "%s", any ? "" : " none");
	/* Who needs it: the packages whose dependencies name it. */
	util_buf_puts(t, "dependents  ");
	any = false;
	pep508_normalize_name(p->name, norm);
	for (size_t k = 0; k < s->lock->npackages; k++) {
		const struct lock_package *o = &s->lock->packages[k];
		for (size_t i = 0; o->dependencies && i < o->dependencies->u.array.len; i++) {
			const char *n = dep_name(o->dependencies->u.array.items[i]);
			char other[PEP508_MAX_NAME];
			if (!n || strlen(n) >= sizeof(other))
				continue;
			pep508_normalize_name(n, other);
			if (!strcmp(other, norm)) {
				util_buf_printf(t, "%s%s", any ? ", " : " ", o->name);
				any = true;
				break;
			}
		}
	}
	line(t, "%s", any ? "" : " none: the project asks for it itself");
	if (!sig) {
		line(t, "signature    not verified yet (v checks it)");
	} else {
		line(t, "signature    %s", sig->status);
		if (sig->signer[0])
			line(t, "  signer     %s", sig->signer);
		if (sig->file[0])
			line(t, "  file       %s", sig->file);
		line(t, "  decided by %s", sig->reason[0] ? sig->reason : "-");
	}
	free(s->lines);
	s->lines = NULL;
	size_t n = 0;
	for (size_t at = 0; at < t->len; at += strcspn(t->data + at, "\n") + 1) {
		s->lines = util_xrealloc(s->lines, (n + 1) * sizeof(*s->lines));
		s->lines[n++] = at;
	}
	list_set_count(&app->detail, n);
}

static void detail_row(void *arg, size_t i, int y, int x, int w, bool selected)
{
	struct app *app = arg;
	struct packages *s = app->tab_state[TAB_PACKAGES];
	const char *from = s->text.data + s->lines[i];
	char text[600];

	(void)selected;
	snprintf(text, sizeof(text), "%.*s", (int)strcspn(from, "\n"), from);
	app_text(app, y, x, w, i == 0 ? ROLE_HEADER : strstr(text, "decided by") && sig_of(app_selected(app), s->details) &&
		 status_role(sig_of(app_selected(app), s->details)->status) == ROLE_INVALID ? ROLE_INVALID : ROLE_NORMAL,
		 text);
}

static void packages_draw(struct app *app, int y, int x, int h, int w)
{
	struct packages *s = app->tab_state[TAB_PACKAGES];

	if (!s || !s->lock) {
		app_text(app, y, x, w, ROLE_MUTED, s ? s->error : "");
		app_clear(app, y + 1, x, h - 1, w);
		return;
	}
	if (s->details) {
		/* A verify may have finished meanwhile. */
		size_t cursor = app->detail.cursor, top = app->detail.top;
		build_details(app, s);
		app->detail.cursor = cursor < app->detail.n ? cursor : 0;
		app->detail.top = top;
		list_draw(&app->detail, y, x, h, w, detail_row, app);
		return;
	}
	if (!app->detail.n) {
		app_text(app, y, x, w, ROLE_MUTED, "no package matches the filter (Esc clears it)");
		app_clear(app, y + 1, x, h - 1, w);
		return;
	}
	list_draw(&app->detail, y, x, h, w, package_row, app);
}

static bool packages_request(struct app *app, enum request req)
{
	struct packages *s = app->tab_state[TAB_PACKAGES];

	if (s && s->details && (req == REQ_CANCEL || req == REQ_SHELL)) {
		s->details = NULL;
		app->detail = s->back;
		list_set_count(&app->detail, s->back.n);
		return true;
	}
	if (s && !s->details && req == REQ_SHELL && s->lock && app->detail.n) {
		s->back = app->detail;
		s->details = &s->lock->packages[s->shown[app->detail.cursor]];
		memset(&app->detail, 0, sizeof(app->detail));
		build_details(app, s);
		return true;
	}
	return list_request(&app->detail, req);
}

bool packages_in_details(const struct app *app)
{
	const struct packages *s = app->tab == TAB_PACKAGES ? app->tab_state[TAB_PACKAGES] : NULL;

	return s && s->details;
}

const struct view_ops packages_view = {
	.title = "Packages",
	.context = KEYMAP_GENERAL,
	.open = packages_open,
	.draw = packages_draw,
	.request = packages_request,
	.done = packages_done,
};
