/* libFuzzer target: Sigstore evidence (provenance, PEP 740 attestation,
 * bundle: the first byte chooses) verified against the built-in root for
 * a real sdist, so that mutations of the real seeds reach every check.
 * Nothing may crash, and nothing but the seeds' own shape may verify. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sigstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* sha256 of pypi_attestations-0.0.19.tar.gz (tests/data/sigstore) */
	static const unsigned char sha[32] = {
		0x9b, 0xb1, 0xad, 0xd0, 0x4b, 0x1b, 0x4e, 0x18, 0x2b, 0xe6, 0xb0, 0xb8, 0x09, 0x31, 0x59, 0x3f,
		0x7a, 0x29, 0x1e, 0xb4, 0x9d, 0x69, 0xb4, 0xfd, 0x72, 0x8a, 0x5d, 0x4c, 0xbc, 0xdc, 0x4b, 0xd3,
	};
	const struct sigstore_root *root;
	struct sigstore_verdict v;
	struct pl_error err;

	if (size < 1 || !(root = sigstore_root_builtin(&err)))
		return 0;
	sigstore_verify(root, (enum sigstore_form)(data[0] % 3), (const char *)data + 1, size - 1,
			"pypi_attestations-0.0.19.tar.gz", sha, &v);
	if (v.ok && v.nsigners == 0)
		abort();	/* a verdict of ok names who signed */
	return 0;
}
