#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "store.h"
#include "scratch.h"


/* Files left in the blob folder of hash (a refused admission leaves none). */
static int entries(const char *sha)
{
	char path[256];
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "%s/store/blobs/sha256/%.2s", dir, sha);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static struct lock *lock_for(const char *file, struct pl_error *err)
{
	char path[256], hex[65], text[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	assert_int_equal(trust_sha256_file(path, hex, err), 0);
	assert_int_equal(stat(path, &st), 0);
	snprintf(text, sizeof(text), "lock-version = '1.0'\ncreated-by = 't'\n[[packages]]\nname = 'p'\n"
		 "version = '1'\nwheels = [{path = '%s', size = %lld, hashes = {sha256 = '%s'}}]\n",
		 file, (long long)st.st_size, hex);
	return lock_parse(text, strlen(text), "t", err);
}

static void test_admit(void **state)
{
	struct trust_policy policy;
	struct trust_result r;
	struct pl_error err;
	char path[256], keyname[128], id[17], root[128], *blob;

	snprintf(keyname, sizeof(keyname), "%s/k", dir);
	assert_int_equal(trust_key_generate(keyname, id, &err), 0);
	snprintf(path, sizeof(path), "mode: enforce\nkeys: [{id: k, file: %s.pub}]\n", keyname);
	put("policy.yaml", path);
	snprintf(path, sizeof(path), "%s/policy.yaml", dir);
	assert_int_equal(trust_policy_load(path, &policy, &err), 0);
	snprintf(root, sizeof(root), "%s/store", dir);

	put("p-1-py3-none-any.whl", "the real bytes");
	snprintf(path, sizeof(path), "%s/p-1-py3-none-any.whl", dir);
	snprintf(keyname, sizeof(keyname), "%s/k.key", dir);
	assert_int_equal(trust_sign_file(keyname, path, id, &err), 0);
	struct lock *lock = lock_for("p-1-py3-none-any.whl", &err);
	assert_non_null(lock);
	const struct lock_file *f = &lock->packages[0].wheels[0];

	/* Signed and matching: admitted, read-only, under its hash. */
	assert_int_equal(store_admit(root, &policy, &lock->packages[0], f, path, &blob, &r, &err), 0);
	assert_int_equal(r.status, TRUST_VERIFIED);
	assert_string_equal(r.key_id, id);
	assert_non_null(strstr(blob, lock_file_sha256(f) + 2));
	struct stat st;
	assert_int_equal(stat(blob, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0444);
	char *stored = store_blob(root, f);
	assert_string_equal(stored, blob);
	free(stored);
	snprintf(path, sizeof(path), "%s.sig", blob);
	assert_int_equal(access(path, R_OK), 0);	/* kept for later checks */
	snprintf(path, sizeof(path), "%s/p-1-py3-none-any.whl", dir);
	free(blob);

	/* Tampered after signing: refused, nothing left behind. */
	put("p-1-py3-none-any.whl", "other bytes!!!");
	assert_int_equal(store_admit(root, &policy, &lock->packages[0], f, path, &blob, &r, &err), -1);
	assert_int_equal(r.status, TRUST_HASH_MISMATCH);
	assert_non_null(strstr(err.msg, "not admitted"));
	assert_null(blob);
	assert_int_equal(entries(lock_file_sha256(f)), 2);	/* only the earlier blob and its .sig */

	/* The right bytes but no signature: refused under enforce. */
	put("p-1-py3-none-any.whl", "the real bytes");
	snprintf(path, sizeof(path), "%s/p-1-py3-none-any.whl.sig", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/p-1-py3-none-any.whl", dir);
	assert_int_equal(store_admit(root, &policy, &lock->packages[0], f, path, &blob, &r, &err), -1);
	assert_int_equal(r.status, TRUST_UNSIGNED);
	/* ... and admitted under warn. */
	policy.mode = TRUST_WARN;
	assert_int_equal(store_admit(root, &policy, &lock->packages[0], f, path, &blob, &r, &err), 0);
	free(blob);
	assert_int_equal(entries(lock_file_sha256(f)), 2);	/* the same bytes keep their signature */
	lock_free(lock);
	trust_policy_fini(&policy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_admit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
