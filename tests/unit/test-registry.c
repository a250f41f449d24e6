#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "registry.h"

#define H64 "c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a"
#define BASE "https://idx.example/simple/attrs/"

static struct registry *reg;

static int setup(void **state)
{
	reg = registry_new(NULL, NULL);
	return 0;
}

static int teardown(void **state)
{
	registry_free(reg);
	return 0;
}

static void html(const char *text, struct registry_page *page)
{
	struct pl_error err;

	assert_int_equal(registry_page_parse_html(reg, text, strlen(text), BASE, page, &err), 0);
}

static void test_html_links(void **state)
{
	struct registry_page page;

	html("<!DOCTYPE html><html><body>\n"
	     "<a href=\"../../files/ab/attrs-25.1.0-py3-none-any.whl#sha256=" H64 "\" data-requires-python=\"&gt;=3.8\">"
	     "attrs-25.1.0-py3-none-any.whl</a><br/>\n"
	     "<A HREF='https://cdn.example/x/attrs-25.1.0.tar.gz?a=1&amp;b=2'>\n  attrs-25.1.0.tar.gz  </A>\n"
	     "<a href=attrs-24.0.0-py3-none-any.whl#md5=00>attrs-24.0.0-py3-none-any.whl</a>\n"
	     "<abbr>not a link</abbr><a name=\"anchor\">no href</a>\n"
	     "</body></html>", &page);
	assert_int_equal(page.n, 3);
	assert_int_equal(page.refused, 0);
	assert_string_equal(page.links[0].filename, "attrs-25.1.0-py3-none-any.whl");
	/* Relative links resolve against the page; the fragment is not fetched. */
	assert_string_equal(page.links[0].url, "https://idx.example/files/ab/attrs-25.1.0-py3-none-any.whl");
	assert_string_equal(page.links[0].sha256, H64);
	assert_string_equal(page.links[1].url, "https://cdn.example/x/attrs-25.1.0.tar.gz?a=1&b=2");
	assert_string_equal(page.links[1].filename, "attrs-25.1.0.tar.gz");
	assert_string_equal(page.links[2].url, BASE "attrs-24.0.0-py3-none-any.whl");
	assert_null(page.links[2].sha256);	/* only sha256 is taken */
	registry_page_fini(&page);
}

static void test_html_unsafe_names(void **state)
{
	struct registry_page page;

	html("<a href=\"../x/evil.whl\">../evil.whl</a>"
	     "<a href=\"x/evil.whl\">x/evil.whl</a>"
	     "<a href=\"evil.whl\">.hidden.whl</a>"
	     "<a href=\"a%2Fb.whl\">a&#47;b.whl</a>"
	     "<a href=\"other.whl\">evil.whl</a>"	/* the text must be the URL's last part */
	     "<a href=\"ev%01il.whl\">ev&#1;il.whl</a>"
	     "<a href=\"file:///etc/passwd\">passwd</a>"
	     "<a href=\"empty.whl\">  </a>"	/* found by fuzz-index: an empty name */
	     "<a href=\"fine-1.0-py3-none-any.whl\">fine-1.0-py3-none-any.whl</a>", &page);
	assert_int_equal(page.n, 1);	/* an https page links only to https */
	assert_string_equal(page.links[0].filename, "fine-1.0-py3-none-any.whl");
	assert_int_equal(page.refused, 8);
	assert_string_equal(page.refused_example, "../evil.whl");
	registry_page_fini(&page);
}

static void test_html_truncated(void **state)
{
	static const char *const cut[] = {
		"<a href=\"x.whl\">x.whl", "<a href=\"x.whl", "<a", "<a href='x.whl'>x.whl</", "",
	};
	struct registry_page page;

	for (size_t i = 0; i < sizeof(cut) / sizeof(*cut); i++) {
		html(cut[i], &page);
		assert_int_equal(page.n, 0);
		registry_page_fini(&page);
	}
}

static void test_json(void **state)
{
	struct registry_page page;
	struct pl_error err;
	const char *good = "{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \"attrs\", \"files\": ["
			   "{\"filename\": \"attrs-25.1.0-py3-none-any.whl\", \"url\": \"../../f/attrs-25.1.0-py3-none-any.whl\","
			   " \"hashes\": {\"sha256\": \"" H64 "\"}},"
			   "{\"filename\": \"../attrs.whl\", \"url\": \"attrs.whl\", \"hashes\": {}},"
			   "{\"url\": \"nameless.whl\"}, 7]}";

	assert_int_equal(registry_page_parse_json(reg, good, strlen(good), BASE, &page, &err), 0);
	assert_int_equal(page.n, 1);
	assert_string_equal(page.links[0].url, "https://idx.example/f/attrs-25.1.0-py3-none-any.whl");
	assert_string_equal(page.links[0].sha256, H64);
	assert_int_equal(page.refused, 3);
	registry_page_fini(&page);

	const char *future = "{\"meta\": {\"api-version\": \"2.0\"}, \"files\": []}";
	assert_int_equal(registry_page_parse_json(reg, future, strlen(future), BASE, &page, &err), -1);
	assert_non_null(strstr(err.msg, "unsupported simple API version 2.0"));
	const char *broken = "{\"meta\": {\"api-version\": \"1.0\"},\n \"files\": [}";
	assert_int_equal(registry_page_parse_json(reg, broken, strlen(broken), BASE, &page, &err), -1);
	assert_int_equal(err.line, 2);
	const char *dup = "{\"meta\": {\"api-version\": \"1.0\"}, \"files\": [], \"files\": []}";
	assert_int_equal(registry_page_parse_json(reg, dup, strlen(dup), BASE, &page, &err), -1);
	const char *nofiles = "{\"meta\": {\"api-version\": \"1.0\"}}";
	assert_int_equal(registry_page_parse_json(reg, nofiles, strlen(nofiles), BASE, &page, &err), -1);
	assert_non_null(strstr(err.msg, "no \"files\" array"));
}

/* PEP 740: a file's provenance URL, from PEP 691's "provenance" key or PEP
 * 503's data-provenance, resolved like its link; an https page names no
 * other scheme. */
static void test_provenance(void **state)
{
	struct registry_page page;
	struct pl_error err;
	const char *json = "{\"meta\": {\"api-version\": \"1.3\"}, \"files\": ["
			   "{\"filename\": \"a-1-py3-none-any.whl\", \"url\": \"a-1-py3-none-any.whl\","
			   " \"provenance\": \"../../integrity/a/1/a-1-py3-none-any.whl/provenance\"},"
			   "{\"filename\": \"a-2-py3-none-any.whl\", \"url\": \"a-2-py3-none-any.whl\", \"provenance\": null},"
			   "{\"filename\": \"a-3-py3-none-any.whl\", \"url\": \"a-3-py3-none-any.whl\","
			   " \"provenance\": \"file:///etc/passwd\"}]}";
	const char *html = "<a href=\"a-1.tar.gz\" data-provenance=\"https://idx.example/p/a-1.tar.gz.provenance\">"
			   "a-1.tar.gz</a><a href=\"a-2.tar.gz\">a-2.tar.gz</a>";

	(void)state;
	assert_int_equal(registry_page_parse_json(reg, json, strlen(json), BASE, &page, &err), 0);
	assert_int_equal(page.n, 3);
	assert_string_equal(page.links[0].provenance,
			    "https://idx.example/integrity/a/1/a-1-py3-none-any.whl/provenance");
	assert_null(page.links[1].provenance);
	assert_null(page.links[2].provenance);
	registry_page_fini(&page);
	assert_int_equal(registry_page_parse_html(reg, html, strlen(html), BASE, &page, &err), 0);
	assert_int_equal(page.n, 2);
	assert_string_equal(page.links[0].provenance, "https://idx.example/p/a-1.tar.gz.provenance");
	assert_null(page.links[1].provenance);
	registry_page_fini(&page);
}

/* A local index resolves its links without libcurl: relative and absolute
 * paths, file:// URLs, "." and ".." (never above the root), and carries
 * what resolvers need (PEP 592, 658, 700, requires-python). */
static void test_local_links(void **state)
{
	static const char base[] = "file:///srv/idx/simple/attrs/index.html";
	const char *text =
		"<a href=\"../../files/attrs-1.0-py3-none-any.whl#sha256=" H64 "\" data-yanked=\"\" "
		"data-requires-python=\"&gt;=3.8\" data-core-metadata=\"sha256=" H64 "\">attrs-1.0-py3-none-any.whl</a>\n"
		"<a href=\"/other/./attrs-2.0.tar.gz\">attrs-2.0.tar.gz</a>\n"
		"<a href=\"file:///a/b/../attrs-3.0.tar.gz?x=1\">attrs-3.0.tar.gz</a>\n"
		"<a href=\"../../../../../../attrs-4.0.tar.gz\">attrs-4.0.tar.gz</a>\n"
		"<a href=\"attrs%2D5.0.tar.gz\" data-dist-info-metadata=\"true\">attrs-5.0.tar.gz</a>\n"
		"<a href=\"../../files/attrs-6.0.tar.gz\">attrs-9.9.tar.gz</a>\n";
	struct registry_page page;
	struct pl_error err;

	(void)state;
	assert_int_equal(registry_page_parse_html(reg, text, strlen(text), base, &page, &err), 0);
	assert_int_equal(page.n, 5);
	assert_int_equal(page.refused, 1);	/* a name that is not its link's */
	assert_string_equal(page.links[0].url, "file:///srv/idx/files/attrs-1.0-py3-none-any.whl");
	assert_true(page.links[0].yanked);
	assert_string_equal(page.links[0].requires_python, ">=3.8");
	assert_true(page.links[0].core_metadata);
	assert_string_equal(page.links[0].core_metadata_sha256, H64);
	assert_int_equal(page.links[0].size, -1);
	assert_string_equal(page.links[1].url, "file:///other/attrs-2.0.tar.gz");
	assert_false(page.links[1].yanked);
	assert_false(page.links[1].core_metadata);
	assert_string_equal(page.links[2].url, "file:///a/attrs-3.0.tar.gz");
	assert_string_equal(page.links[3].url, "file:///attrs-4.0.tar.gz");
	assert_string_equal(page.links[4].url, "file:///srv/idx/simple/attrs/attrs%2D5.0.tar.gz");
	assert_true(page.links[4].core_metadata);
	assert_null(page.links[4].core_metadata_sha256);
	registry_page_fini(&page);

	const char *json = "{\"meta\": {\"api-version\": \"1.1\"}, \"files\": [{\"filename\": \"attrs-1.0.tar.gz\", "
			   "\"url\": \"../../files/attrs-1.0.tar.gz\", \"hashes\": {\"sha256\": \"" H64 "\"}, "
			   "\"yanked\": \"broken\", \"size\": 1234, \"upload-time\": \"2024-01-01T00:00:00Z\", "
			   "\"core-metadata\": false, \"requires-python\": \"<4\"}]}";
	assert_int_equal(registry_page_parse_json(reg, json, strlen(json), base, &page, &err), 0);
	assert_int_equal(page.n, 1);
	assert_string_equal(page.links[0].url, "file:///srv/idx/files/attrs-1.0.tar.gz");
	assert_true(page.links[0].yanked);	/* a reason is a yank */
	assert_int_equal(page.links[0].size, 1234);
	assert_string_equal(page.links[0].upload_time, "2024-01-01T00:00:00Z");
	assert_false(page.links[0].core_metadata);
	assert_string_equal(page.links[0].requires_python, "<4");
	registry_page_fini(&page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_links),
		cmocka_unit_test(test_local_links),
		cmocka_unit_test(test_html_unsafe_names),
		cmocka_unit_test(test_html_truncated),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_provenance),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
