/* libFuzzer target: what `pylock lock`, add and remove read and write of a
 * project's declaration and its dependencies' metadata. The input is read
 * as core metadata (each Requires-Dist then parsed as PEP 508), and as a
 * pyproject.toml edited by pyedit: an edit that succeeds gives TOML in
 * which the added requirement is found, or from which the removed one is
 * gone; one that fails never gives text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metadata.h"
#include "pep508.h"
#include "pyedit.h"
#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void metadata(const char *text, size_t size)
{
	struct metadata m;
	struct pl_error err;
	struct pep508_requirement *r = malloc(sizeof(*r));
	const char *why;
	size_t at;

	if (metadata_parse(text, size, "fuzz.metadata", &m, &err) == 0) {
		if (!m.name || !m.version)
			abort();
		for (size_t i = 0; i < m.nrequires; i++)
			if (pep508_requirement_parse(m.requires_dist[i], r, &why, &at) == 0)
				pep508_requirement_fini(r);
		metadata_fini(&m);
	}
	free(r);
}

static void edits(const char *text, size_t size)
{
	static const enum pyedit_list lists[] = { PYEDIT_DEPENDENCIES, PYEDIT_OPTIONAL, PYEDIT_GROUP };
	struct util_buf out = UTIL_BUF_INIT;
	struct pl_error err;
	size_t removed;

	/* "a bug": an edit that would have broken the file (caught). */
	for (size_t i = 0; i < 3; i++) {
		util_buf_truncate(&out, 0);
		int rc = pyedit_add(text, size, "pyproject.toml", lists[i], "fuzz", "fuzzed-pkg>=1", &out, &err);
		if ((rc == 0 && !strstr(util_buf_str(&out), "fuzzed-pkg>=1")) || (rc < 0 && strstr(err.msg, "a bug")))
			abort();
	}
	util_buf_truncate(&out, 0);
	int rc = pyedit_remove(text, size, "pyproject.toml", "requests", &out, &removed, &err);
	if (rc < 0 && strstr(err.msg, "a bug"))
		abort();
	if (rc == 0 && removed) {
		struct util_buf again = UTIL_BUF_INIT;
		size_t more;
		/* Everything naming it went at once. */
		if (pyedit_remove(out.data, out.len, "pyproject.toml", "requests", &again, &more, &err) < 0 || more)
			abort();
		util_buf_free(&again);
	}
	util_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size > 65536)
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	metadata(text, size);
	edits(text, size);
	free(text);
	return 0;
}
