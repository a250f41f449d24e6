/* Core metadata headers: RFC 822 style "Key: value" lines, a line that
 * starts with a blank continuing the one before. */
#include "config.h"
#include "metadata.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void push(char ***list, size_t *n, char *s)
{
	*list = util_xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = s;
}

int metadata_parse(const char *text, size_t len, const char *what, struct metadata *m, struct pl_error *err)
{
	const char *s = text, *end = text + len;
	size_t line = 0;

	memset(m, 0, sizeof(*m));
	if (len > METADATA_MAX)
		return pl_error_set(err, what, 0, 0, "is larger than %u bytes", METADATA_MAX);
	if (memchr(text, 0, len))
		return pl_error_set(err, what, 0, 0, "holds a NUL byte: not core metadata");
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *le = nl ? nl : end;
		size_t at = ++line;
		if (le > s && le[-1] == '\r')
			le--;
		if (le == s)
			break;
		if (*s == ' ' || *s == '\t') {
			s = nl ? nl + 1 : end;
			continue;
		}
		const char *colon = memchr(s, ':', (size_t)(le - s));
		if (!colon) {
			metadata_fini(m);
			return pl_error_set(err, what, (int)at, 1, "is not a 'Key: value' header line");
		}
		size_t klen = (size_t)(colon - s);
		const char *v = colon + 1, *ve = le;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		char *value = util_xstrndup(v, (size_t)(ve - v));
#define KEY(k) (klen == sizeof(k) - 1 && !strncasecmp(s, k, klen))
		if (KEY("Name") && !m->name) {
			m->name = value;
		} else if (KEY("Version") && !m->version) {
			m->version = value;
		} else if (KEY("Requires-Python") && !m->requires_python) {
			m->requires_python = value;
		} else if (KEY("Requires-Dist") || KEY("Provides-Extra")) {
			if (m->nrequires + m->nextras >= METADATA_MAX_FIELDS) {
				free(value);
				metadata_fini(m);
				return pl_error_set(err, what, (int)at, 1, "has more than %d Requires-Dist and "
						    "Provides-Extra fields", METADATA_MAX_FIELDS);
			}
			if (KEY("Provides-Extra")) {
				push(&m->provides_extra, &m->nextras, value);
			} else {
				m->requires_line = util_xrealloc(m->requires_line, (m->nrequires + 1) * sizeof(size_t));
				m->requires_line[m->nrequires] = at;
				push(&m->requires_dist, &m->nrequires, value);
			}
		} else {
			free(value);
		}
#undef KEY
		s = nl ? nl + 1 : end;
	}
	if (!m->name || !m->version) {
		metadata_fini(m);
		return pl_error_set(err, what, 0, 0, "has no %s field", m->name ? "Version" : "Name");
	}
	return 0;
}

void metadata_fini(struct metadata *m)
{
	free(m->name);
	free(m->version);
	free(m->requires_python);
	for (size_t i = 0; i < m->nrequires; i++)
		free(m->requires_dist[i]);
	for (size_t i = 0; i < m->nextras; i++)
		free(m->provides_extra[i]);
	free(m->requires_dist);
	free(m->provides_extra);
	free(m->requires_line);
	memset(m, 0, sizeof(*m));
}
