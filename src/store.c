/* Admission into the store: copy, check the copy, rename. */
#include "config.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int copy_into(int out, const char *src, struct pl_error *err)
{
	char *buf = util_xmalloc(1 << 20);
	int in = open(src, O_RDONLY | O_CLOEXEC), rc = 0;
	ssize_t n;

	if (in < 0) {
		free(buf);
		return pl_error_errno(err, src, "cannot open");
	}
	while ((n = read(in, buf, 1 << 20)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = pl_error_errno(err, src, "cannot copy into the store");
			break;
		}
	if (n < 0)
		rc = pl_error_errno(err, src, "cannot read");
	if (rc == 0 && fsync(out) < 0)
		rc = pl_error_errno(err, src, "cannot copy into the store");
	close(in);
	free(buf);
	return rc;
}

int store_admit(const char *root, const struct trust_policy *policy, const struct lock_package *pkg,
		const struct lock_file *f, const char *src, char **blob, struct trust_result *r,
		struct pl_error *err)
{
	const char *sha = lock_file_sha256(f);
	struct util_buf dir = UTIL_BUF_INIT, final = UTIL_BUF_INIT, tmp = UTIL_BUF_INIT, sig = UTIL_BUF_INIT;
	struct trust_result local;
	int fd, rc = -1;

	r = r ? r : &local;
	*blob = NULL;
	if (!sha || strlen(sha) != 64)
		return pl_error_set(err, NULL, 0, 0, "%s: the lock records no sha256 for %s; not admitted",
				    pkg->name, f->name);
	util_buf_printf(&dir, "%s/blobs/sha256/%.2s", root, sha);
	util_buf_printf(&final, "%s/%s", dir.data, sha + 2);
	for (char *c = final.data + dir.len; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'F' ? *c + 32 : *c);
	if (util_mkdir_p(dir.data, 0755, err) < 0)
		goto out;
	util_buf_printf(&tmp, "%s/.admit.XXXXXX", dir.data);
	if ((fd = mkostemp(tmp.data, O_CLOEXEC)) < 0) {
		pl_error_errno(err, dir.data, "cannot create a file in the store");
		goto out;
	}
	if (copy_into(fd, src, err) < 0) {
		close(fd);
		unlink(tmp.data);
		goto out;
	}
	close(fd);
	/* The copy is what gets checked: the source may change under us. */
	util_buf_printf(&sig, "%s.sig", src);
	trust_check_file(policy, NULL, pkg->index, pkg->name, pkg->version, f, tmp.data, sig.data, r);
	if (!trust_admissible(policy, r->status)) {
		unlink(tmp.data);
		pl_error_set(err, NULL, 0, 0, "%s %s: %s (%s); not admitted", pkg->name, f->name,
			     trust_status_name(r->status), r->reason);
		goto out;
	}
	if (chmod(tmp.data, 0444) < 0 || rename(tmp.data, final.data) < 0) {
		pl_error_errno(err, final.data, "cannot place in the store");
		unlink(tmp.data);
		goto out;
	}
	fd = open(dir.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	*blob = util_buf_steal(&final);
	rc = 0;
out:
	util_buf_free(&dir);
	util_buf_free(&final);
	util_buf_free(&tmp);
	util_buf_free(&sig);
	return rc;
}
