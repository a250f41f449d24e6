/* Verifies Sigstore evidence with pylock's verifier, N verifications in
 * all, round-robin over the cases given, and prints the mean wall time of
 * one in microseconds, every check made ("cold"), then with each verdict
 * already in the verdict cache ("warm"), and how many verified:
 *   sigstore-verify N CACHE-DIR ROOT FORM EVIDENCE ARTIFACT [ROOT FORM EVIDENCE ARTIFACT]...
 *   -> "cold_us warm_us verified"
 * FORM is provenance, attestation or bundle. The roots are read once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigstore.h"
#include "trust.h"

struct item {
	struct sigstore_root *root;
	enum sigstore_form form;
	char *doc, *name;
	size_t len;
	unsigned char sha[32];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[1]) : 0, nitems = (argc - 3) / 4, ok = 0;
	const char *cache = argc > 2 ? argv[2] : NULL;
	struct item *items = calloc((size_t)nitems + 1, sizeof(*items));
	struct pl_error err;
	struct sigstore_verdict v;
	double start, cold;

	if (n < 1 || nitems < 1 || (argc - 3) % 4 || trust_init(&err) < 0) {
		fprintf(stderr, "usage: sigstore-verify N CACHE-DIR ROOT FORM EVIDENCE ARTIFACT...\n");
		return 2;
	}
	for (int i = 0; i < nitems; i++) {
		struct item *it = &items[i];
		char **a = argv + 3 + 4 * i, hex[65], *slash = strrchr(a[3], '/');

		it->form = !strcmp(a[1], "provenance") ? SIGSTORE_PROVENANCE
			   : !strcmp(a[1], "attestation") ? SIGSTORE_ATTESTATION : SIGSTORE_BUNDLE;
		if (sigstore_root_load(a[0], &it->root, &err) < 0 ||
		    util_read_file(a[2], SIGSTORE_MAX_DOC, &it->doc, &it->len, &err) < 0 ||
		    trust_sha256_file(a[3], hex, &err) < 0) {
			fprintf(stderr, "sigstore-verify: %s\n", err.msg);
			return 2;
		}
		for (int k = 0; k < 32; k++)
			sscanf(hex + 2 * k, "%2hhx", &it->sha[k]);
		it->name = slash ? slash + 1 : a[3];
	}
	start = now();
	for (int i = 0; i < n; i++) {
		struct item *it = &items[i % nitems];
		sigstore_verify(it->root, it->form, it->doc, it->len, it->name, it->sha, &v);
		ok += v.ok;
	}
	cold = (now() - start) / n;
	for (int i = 0; i < nitems; i++)
		sigstore_verify_cached(cache, items[i].root, NULL, 0, items[i].form, items[i].doc, items[i].len, items[i].name,
				       items[i].sha, &v);
	start = now();
	for (int i = 0; i < n; i++) {
		struct item *it = &items[i % nitems];
		sigstore_verify_cached(cache, it->root, NULL, 0, it->form, it->doc, it->len, it->name, it->sha, &v);
		ok -= !v.ok;
	}
	printf("%.1f %.1f %d\n", cold, (now() - start) / n, ok);
	for (int i = 0; i < nitems; i++) {
		sigstore_root_free(items[i].root);
		free(items[i].doc);
	}
	free(items);
	return 0;
}
