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

#include "admit.h"
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

static struct trust_policy policy;
static char keyname[256], key_id[17];

static void load_policy(void)
{
	char text[512], path[256];
	struct pl_error err;

	snprintf(keyname, sizeof(keyname), "%s/k", dir);
	assert_int_equal(trust_key_generate(keyname, key_id, &err), 0);
	snprintf(text, sizeof(text), "mode: enforce\nkeys: [{id: k, file: %s.pub}]\n", keyname);
	put("policy.yaml", text);
	snprintf(path, sizeof(path), "%s/policy.yaml", dir);
	assert_int_equal(trust_policy_load(path, &policy, &err), 0);
}

/* A signed wheel beside a lock that names it by path. */
static struct lock *signed_wheel(const char *bytes, char path[256])
{
	struct pl_error err;
	char key[300];
	struct lock *lock;

	put("p-1-py3-none-any.whl", bytes);
	snprintf(path, 256, "%s/p-1-py3-none-any.whl", dir);
	snprintf(key, sizeof(key), "%s.key", keyname);
	assert_int_equal(trust_sign_file(key, path, key_id, &err), 0);
	assert_non_null(lock = lock_for("p-1-py3-none-any.whl", &err));
	return lock;
}

static struct admit admission(const char *store, char root[256])
{
	snprintf(root, 256, "%s/%s", dir, store);
	return (struct admit){ .store = root, .policy = &policy, .lock_dir = dir };
}

/* Each test starts with a signed wheel beside its lock, a policy that
 * trusts its key, and an empty store. */
static struct lock *lock;
static char wheel[256], root[256];
static struct admit a;

static int signed_setup(void **state)
{
	setup(state);
	load_policy();
	lock = signed_wheel("the real bytes", wheel);
	a = admission("store", root);
	return 0;
}

static int signed_teardown(void **state)
{
	lock_free(lock);
	trust_policy_fini(&policy);
	return teardown(state);
}

static void admit(const struct admit *how, const struct lock *l, bool keep, char **blob, struct trust_result *r)
{
	void *conn = NULL;

	admit_file(how, &conn, &l->packages[0], &l->packages[0].wheels[0], keep, blob, r);
	admit_conn_free(conn);
}

static void test_admit_keeps_checked_bytes(void **state)
{
	struct trust_result r;
	char path[256], *blob;
	const struct lock_file *f = &lock->packages[0].wheels[0];

	(void)state;

	/* Signed and matching: admitted, read-only, under its hash. */
	admit(&a, lock, true, &blob, &r);
	assert_int_equal(r.status, TRUST_VERIFIED);
	assert_string_equal(r.key_id, key_id);
	assert_non_null(blob);
	assert_non_null(strstr(blob, lock_file_sha256(f) + 2));
	struct stat st;
	assert_int_equal(stat(blob, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0444);
	char *stored = store_blob(a.store, f);
	assert_string_equal(stored, blob);
	free(stored);
	snprintf(path, sizeof(path), "%s.sig", blob);
	assert_int_equal(access(path, R_OK), 0);	/* kept for later checks */

	/* Once stored, the blob and its stored signature are what is checked:
	 * the local copy's signature may go. */
	snprintf(path, sizeof(path), "%s/p-1-py3-none-any.whl.sig", dir);
	unlink(path);
	char *again;
	admit(&a, lock, true, &again, &r);
	assert_int_equal(r.status, TRUST_VERIFIED);
	assert_string_equal(again, blob);
	free(again);

	/* A stored blob altered since is checked again on use: refused. */
	chmod(blob, 0644);
	FILE *out = fopen(blob, "w");
	fputs("the fake bytes", out);
	fclose(out);
	admit(&a, lock, true, &again, &r);
	assert_int_equal(r.status, TRUST_HASH_MISMATCH);
	assert_null(again);
	free(blob);
}

static void test_admit_refuses(void **state)
{
	struct trust_result r;
	char path[256], *blob;
	const struct lock_file *f = &lock->packages[0].wheels[0];

	(void)state;

	/* Tampered after signing: refused, nothing left behind. */
	put("p-1-py3-none-any.whl", "other bytes!!!");
	admit(&a, lock, true, &blob, &r);
	assert_int_equal(r.status, TRUST_HASH_MISMATCH);
	assert_null(blob);
	assert_int_equal(entries(lock_file_sha256(f)), 0);

	/* The right bytes but no signature: refused under enforce ... */
	put("p-1-py3-none-any.whl", "the real bytes");
	snprintf(path, sizeof(path), "%s/p-1-py3-none-any.whl.sig", dir);
	unlink(path);
	admit(&a, lock, true, &blob, &r);
	assert_int_equal(r.status, TRUST_UNSIGNED);
	assert_null(blob);
	assert_int_equal(entries(lock_file_sha256(f)), 0);
	/* ... and admitted under warn. */
	policy.mode = TRUST_WARN;
	admit(&a, lock, true, &blob, &r);
	assert_int_equal(r.status, TRUST_UNSIGNED);
	assert_non_null(blob);
	assert_int_equal(entries(lock_file_sha256(f)), 1);
	free(blob);

	/* A signature that is not one: bad-signature, refused under enforce. */
	char root2[256];
	struct admit b = admission("store2", root2);
	policy.mode = TRUST_ENFORCE;
	put("p-1-py3-none-any.whl.sig", "not a signature");
	admit(&b, lock, true, &blob, &r);
	assert_int_equal(r.status, TRUST_BAD_SIGNATURE);
	assert_null(blob);
}

static void test_check_in_place(void **state)
{
	struct trust_result r;
	char *checked;

	(void)state;
	/* Without keep, a local file is checked where it is: nothing stored. */
	admit(&a, lock, false, &checked, &r);
	assert_int_equal(r.status, TRUST_VERIFIED);
	assert_string_equal(checked, wheel);
	assert_int_equal(entries(lock_file_sha256(&lock->packages[0].wheels[0])), 0);
	free(checked);

	/* Offline, a remote file is not fetched: missing, and says so. */
	const char *text = "lock-version = '1.0'\ncreated-by = 't'\n[[packages]]\nname = 'p'\nversion = '1'\n"
		"wheels = [{url = 'https://files.example/p-1-py3-none-any.whl', hashes = {sha256 = "
		"'0000000000000000000000000000000000000000000000000000000000000000'}}]\n";
	struct pl_error err;
	struct lock *remote = lock_parse(text, strlen(text), "t", &err);
	assert_non_null(remote);
	a.offline = true;
	admit(&a, remote, true, &checked, &r);
	assert_int_equal(r.status, TRUST_MISSING);
	assert_string_equal(r.reason, "not fetched here");
	assert_null(checked);
	lock_free(remote);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_admit_keeps_checked_bytes, signed_setup, signed_teardown),
		cmocka_unit_test_setup_teardown(test_admit_refuses, signed_setup, signed_teardown),
		cmocka_unit_test_setup_teardown(test_check_in_place, signed_setup, signed_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
