/* Every shipped theme keeps its text readable: each role's foreground
 * against its background (the theme's, else the terminal's for the
 * background the theme says it is made for) at a WCAG contrast ratio of at
 * least 4.5:1, read from the theme files themselves. Colours 16-255 are
 * xterm's fixed cube and grey ramp, 0-15 its default palette; `dim` is
 * taken as halfway to the background (as xterm and VTE draw it), `reverse`
 * swaps the two. The terminal's own colours are taken at their least
 * favourable: on dark, text #cccccc on #000000 and #262626; on light, text
 * #000000 on #ffffff and #e4e4e4. fg8/bg8 are left out: 8-colour palettes
 * are the user's. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "yamlconf.h"

struct rgb {
	double r, g, b;
};

static struct rgb hex(unsigned v)
{
	return (struct rgb){ (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };
}

static struct rgb xterm(long n)
{
	static const unsigned basic[16] = { 0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd,
					    0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff,
					    0x00ffff, 0xffffff };
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };

	if (n < 16)
		return hex(basic[n]);
	if (n < 232) {
		n -= 16;
		return (struct rgb){ level[n / 36], level[n / 6 % 6], level[n % 6] };
	}
	double g = 8 + 10 * (double)(n - 232);
	return (struct rgb){ g, g, g };
}

/* A colour as a theme writes it; false for "default" or none. */
static bool colour(const struct yamlconf_node *v, struct rgb *out)
{
	static const char *const names[] = { "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white" };

	if (!v || !strcmp(v->scalar, "default"))
		return false;
	for (int i = 0; i < 8; i++) {
		if (!strcmp(v->scalar, names[i])) {
			*out = xterm(i);
			return true;
		}
		if (!strncmp(v->scalar, "bright-", 7) && !strcmp(v->scalar + 7, names[i])) {
			*out = xterm(i + 8);
			return true;
		}
	}
	long n = strtol(v->scalar, NULL, 10);
	assert_true(n >= 0 && n <= 255);
	*out = xterm(n);
	return true;
}

static double channel(double c)
{
	c /= 255;
	return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double luminance(struct rgb c)
{
	return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

static double ratio(struct rgb a, struct rgb b)
{
	double x = luminance(a), y = luminance(b);

	return x > y ? (x + 0.05) / (y + 0.05) : (y + 0.05) / (x + 0.05);
}

static bool has_attr(const struct yamlconf_node *role, const char *name)
{
	const struct yamlconf_node *a = yamlconf_get(role, "attrs");

	for (size_t i = 0; a && i < a->n; i++)
		if (!strcmp(a->items[i]->scalar, name))
			return true;
	return false;
}

static char *themes_dir(void)
{
	static char dir[4096];

	snprintf(dir, sizeof(dir), "%s/themes", getenv("srcdir") ? getenv("srcdir") : ".");
	return dir;
}

/* The failures of one theme file, appended to out; how many roles it checked. */
static size_t check_theme(const char *path, char *out, size_t size)
{
	struct yamlconf_node *root;
	struct pl_error err;
	size_t checked = 0;

	if (yamlconf_load_file(path, &root, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
	const struct yamlconf_node *roles = yamlconf_get(root, "roles"), *bgkind = yamlconf_get(root, "background");
	bool coloured = false;
	for (size_t i = 0; i + 1 < roles->n; i += 2) {
		const struct yamlconf_node *r = roles->items[i + 1];
		coloured |= yamlconf_get(r, "fg") || yamlconf_get(r, "bg");
	}
	if (!coloured) {
		yamlconf_free(root);
		return 0;
	}
	if (!bgkind) {
		snprintf(out + strlen(out), size - strlen(out), "%s: no 'background: dark|light'\n", path);
		yamlconf_free(root);
		return 0;
	}
	bool light = !strcmp(bgkind->scalar, "light");
	const struct rgb term_fg = hex(light ? 0x000000 : 0xcccccc);
	const struct rgb term_bg[2] = { hex(light ? 0xffffff : 0x000000), hex(light ? 0xe4e4e4 : 0x262626) };
	/* A role without a background of its own sits on normal's. */
	struct rgb normal_bg;
	bool normal_has_bg = colour(yamlconf_get(yamlconf_get(roles, "normal"), "bg"), &normal_bg);
	for (size_t i = 0; i + 1 < roles->n; i += 2) {
		const char *name = roles->items[i]->scalar;
		const struct yamlconf_node *r = roles->items[i + 1];
		/* The terminal's two backgrounds matter only under a role
		 * without a background of its own. */
		int backgrounds = normal_has_bg || yamlconf_get(r, "bg") ? 1 : 2;
		for (int t = 0; t < backgrounds; t++) {
			struct rgb fg = term_fg, bg = normal_has_bg ? normal_bg : term_bg[t];
			colour(yamlconf_get(r, "fg"), &fg);
			colour(yamlconf_get(r, "bg"), &bg);
			if (has_attr(r, "reverse")) {
				struct rgb x = fg;
				fg = bg;
				bg = x;
			}
			if (has_attr(r, "dim"))
				fg = (struct rgb){ (fg.r + bg.r) / 2, (fg.g + bg.g) / 2, (fg.b + bg.b) / 2 };
			double c = ratio(fg, bg);
			checked++;
			if (c < 4.5)
				snprintf(out + strlen(out), size - strlen(out),
					 "%s: %s: #%02x%02x%02x on #%02x%02x%02x is %.2f:1, below 4.5:1\n", path, name,
					 (int)fg.r, (int)fg.g, (int)fg.b, (int)bg.r, (int)bg.g, (int)bg.b, c);
		}
	}
	yamlconf_free(root);
	return checked;
}

static void test_shipped_themes(void **state)
{
	char failures[8192] = "", path[4400];
	DIR *d = opendir(themes_dir());
	struct dirent *e;
	size_t themes = 0, checked = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", themes_dir(), e->d_name);
		checked += check_theme(path, failures, sizeof(failures));
		themes++;
	}
	closedir(d);
	if (failures[0]) {
		print_error("%s", failures);
		fail();
	}
	/* Five themes, four of them in colour, every role on two backgrounds. */
	assert_true(themes >= 5);
	assert_true(checked >= 4 * 18);
}

/* The check itself: a role known to be unreadable is caught. */
static void test_catches_low_contrast(void **state)
{
	char failures[1024] = "", path[] = "/tmp/pylock-theme-XXXXXX";
	int fd = mkstemp(path);
	const char text[] = "background: dark\nroles:\n  normal: {}\n  muted: {fg: 240, attrs: [dim]}\n"
			    "  title: {fg: white, bg: blue}\n";

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	check_theme(path, failures, sizeof(failures));
	unlink(path);
	assert_non_null(strstr(failures, "muted"));
	assert_null(strstr(failures, "title"));
	assert_null(strstr(failures, "normal"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_themes),
		cmocka_unit_test(test_catches_low_contrast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
