/* libFuzzer target: a wheel's metadata. The input is cut at "\n--\n" into
 * RECORD, METADATA, WHEEL and entry_points.txt, zipped with a one-module
 * package (whose RECORD row the input may or may not give), and installed
 * into a fresh folder. Whatever it holds, nothing may land outside that
 * folder and no file name may hold a control character. */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "util.h"
#include "wheel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const parts[] = { "RECORD", "METADATA", "WHEEL", "entry_points.txt" };

static void add(zip_t *z, const char *name, const void *bytes, size_t len)
{
	zip_source_t *src = zip_source_buffer(z, bytes, len, 0);

	if (!src || zip_file_add(z, name, src, ZIP_FL_OVERWRITE) < 0)
		abort();
}

/* Every name below dir is free of control characters. Returns how many
 * entries dir itself holds. */
static size_t walk(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	char sub[4096];

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		for (const char *c = e->d_name; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
		n++;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR)
			walk(sub);
	}
	if (d)
		closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char base[] = "/tmp/fuzz-wheel-XXXXXX", whl[256], dest[256], name[128];
	char *text = malloc(size + 1), *at;
	struct pl_error err;
	int zerr;

	memcpy(text, data, size);
	text[size] = '\0';
	if (!mkdtemp(base))
		abort();
	snprintf(whl, sizeof(whl), "%s/demo-1.0-py3-none-any.whl", base);
	snprintf(dest, sizeof(dest), "%s/dest", base);
	mkdir(dest, 0755);
	zip_t *z = zip_open(whl, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	if (!z)
		abort();
	add(z, "demo/__init__.py", "X = 1\n", 6);
	at = text;
	for (size_t i = 0; i < 4; i++) {
		char *end = strstr(at, "\n--\n");
		size_t len = end ? (size_t)(end - at) : strlen(at);
		snprintf(name, sizeof(name), "demo-1.0.dist-info/%s", parts[i]);
		add(z, name, at, len);
		at = end ? end + 4 : at + len;
	}
	if (zip_close(z) < 0)
		abort();
	wheel_install(whl, "demo-1.0-py3-none-any.whl", dest, "3.11", "/opt/venv", &err);
	/* Beside dest there is only the wheel: nothing escaped upwards. */
	if (walk(base) != 2)
		abort();
	if (util_remove_tree(base, &err) < 0)
		abort();
	free(text);
	return 0;
}
