/* The store: blob paths, stages, and the rename that publishes one. */
#include "config.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>


/* A hash the store can name a blob by: an algorithm of letters, digits
 * and _, and hex (the lock's parser checked lengths). */
static bool usable(const struct lock_hash *h)
{
	if (!h || strlen(h->value) < 32 || strlen(h->value) > 128 || !util_is_hex(h->value, strlen(h->value)) ||
	    !*h->algo || strlen(h->algo) > 16)
		return false;
	for (const char *c = h->algo; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return true;
}

static void put_lower(struct util_buf *b, const char *s)
{
	for (; *s; s++)
		util_buf_putc(b, (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s));
}

/* blobs/ALGO/ab/cdef..., lower case whatever case the lock used. */
static void blob_path(struct util_buf *b, const char *root, const struct lock_hash *h, size_t *dir_len)
{
	util_buf_printf(b, "%s/blobs/", root);
	put_lower(b, h->algo);
	util_buf_putc(b, '/');
	for (size_t i = 0; h->value[i]; i++) {
		if (i == 2) {
			*dir_len = b->len;
			util_buf_putc(b, '/');
		}
		util_buf_putc(b, (char)(h->value[i] >= 'A' && h->value[i] <= 'F' ? h->value[i] + 32 : h->value[i]));
	}
}

char *store_root(struct pl_error *err)
{
	return util_dir_path(UTIL_DIR_DATA, err);
}

char *store_blob(const char *root, const struct lock_file *f)
{
	const struct lock_hash *h = lock_file_best_hash(f);
	struct util_buf b = UTIL_BUF_INIT;
	size_t dir_len;

	if (!usable(h))
		return NULL;
	blob_path(&b, root, h, &dir_len);
	if (access(b.data, R_OK) < 0) {
		util_buf_free(&b);
		return NULL;
	}
	return util_buf_steal(&b);
}

int store_stage_open(const char *root, const struct lock_hash *h, struct store_stage *s, struct pl_error *err)
{
	struct util_buf b = UTIL_BUF_INIT;
	size_t dir_len;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (!usable(h))
		return pl_error_set(err, NULL, 0, 0, "the lock records no hash pylock checks; nothing enters the store "
				    "without one");
	blob_path(&b, root, h, &dir_len);
	s->final = util_buf_steal(&b);
	s->dir = util_xstrndup(s->final, dir_len);
	util_buf_printf(&b, "%s/stage", root);
	if (util_mkdir_p(s->dir, 0755, err) < 0 || util_mkdir_p(b.data, 0755, err) < 0) {
		util_buf_free(&b);
		goto fail;
	}
	util_buf_puts(&b, "/.stage.XXXXXX");
	s->tmp = util_buf_steal(&b);
	/* Locked as soon as made; a cleaner that took the lock first has
	 * unlinked it (no links left): then another. */
	for (int tries = 0;; tries++) {
		struct stat st;
		strcpy(s->tmp + strlen(s->tmp) - 6, "XXXXXX");
		if ((s->fd = mkostemp(s->tmp, O_CLOEXEC)) < 0 || flock(s->fd, LOCK_EX) < 0 || fstat(s->fd, &st) < 0) {
			pl_error_errno(err, s->tmp, "cannot create a file in the store");
			if (s->fd >= 0)
				unlink(s->tmp);
			free(s->tmp);
			s->tmp = NULL;
			goto fail;
		}
		if (st.st_nlink > 0 || tries == 5)
			break;
		close(s->fd);
	}
	return 0;
fail:
	store_stage_abort(s);
	return -1;
}

static char *side_path(const char *base, size_t side)
{
	struct util_buf b = UTIL_BUF_INIT;

	util_buf_printf(&b, "%s%s", base, trust_sides[side].suffix);
	return util_buf_steal(&b);
}

int store_stage_side(struct store_stage *s, size_t side, const void *data, size_t len, struct pl_error *err)
{
	char *path;
	int fd;

	if (side >= TRUST_NSIDES || (s->sides & (1u << side)))
		return pl_error_set(err, NULL, 0, 0, "a side file is staged twice");
	if (len > trust_sides[side].max)
		return pl_error_set(err, NULL, 0, 0, "the %s is larger than %zu bytes", trust_sides[side].suffix + 1,
				    trust_sides[side].max);
	/* The stage's name is unique and locked: its side files can be named
	 * after it, where a check looks (tmp + suffix). */
	path = side_path(s->tmp, side);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		pl_error_errno(err, path, "cannot create a file in the store");
		free(path);
		return -1;
	}
	s->sides |= 1u << side;
	if (util_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		pl_error_errno(err, path, "cannot write into the store");
		close(fd);
		free(path);
		return -1;
	}
	close(fd);
	free(path);
	return 0;
}

static void unlink_sides(struct store_stage *s)
{
	for (size_t i = 0; i < TRUST_NSIDES; i++)
		if (s->sides & (1u << i)) {
			char *path = side_path(s->tmp, i);
			unlink(path);
			free(path);
		}
	s->sides = 0;
}

void store_stage_abort(struct store_stage *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->tmp) {
		unlink_sides(s);
		unlink(s->tmp);
	}
	free(s->dir);
	free(s->tmp);
	free(s->final);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static int publish(struct store_stage *s, struct pl_error *err)
{
	int rc = 0;

	/* The side files first: a blob in place always has what vouched for
	 * it. Admitted again without them (mode warn), the same bytes keep the
	 * ones they had. */
	for (size_t i = 0; i < TRUST_NSIDES && rc == 0; i++)
		if (s->sides & (1u << i)) {
			char *from = side_path(s->tmp, i), *to = side_path(s->final, i);
			if (chmod(from, 0444) < 0 || rename(from, to) < 0)
				rc = pl_error_errno(err, to, "cannot place in the store");
			else
				s->sides &= ~(1u << i);
			free(from);
			free(to);
		}
	if (rc == 0 && (chmod(s->tmp, 0444) < 0 || rename(s->tmp, s->final) < 0))
		rc = pl_error_errno(err, s->final, "cannot place in the store");
	if (rc == 0) {
		free(s->tmp);
		s->tmp = NULL;
		int fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	return rc;
}

int store_stage_seal(struct store_stage *s, struct pl_error *err)
{
	if (fsync(s->fd) < 0)
		return pl_error_errno(err, s->tmp, "cannot write into the store");
	close(s->fd);
	s->fd = -1;
	return 0;
}

int store_stage_publish(struct store_stage *s, char **blob, struct pl_error *err)
{
	int rc = publish(s, err);

	*blob = NULL;
	if (rc == 0) {
		*blob = s->final;
		s->final = NULL;
	}
	store_stage_abort(s);
	return rc;
}

/* Whether the stage file name in dir is free of its writer's lock. */
static bool stage_abandoned(int dir, const char *name)
{
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	bool dead = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0;

	if (fd >= 0)
		close(fd);
	return dead;
}

void store_clean_stages(const char *root)
{
	struct util_buf dir = UTIL_BUF_INIT;
	char (*dead)[64] = NULL;
	size_t ndead = 0;
	struct dirent *e;
	DIR *d;

	util_buf_printf(&dir, "%s/stage", root);
	d = opendir(dir.data);
	util_buf_free(&dir);
	if (!d)
		return;
	/* A stage's writer holds a lock on it; its side files are named after
	 * it (NAME.sig, NAME.provenance, ...) and go with it. */
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, ".stage.", 7) && !strchr(e->d_name + 7, '.') && strlen(e->d_name) < 64 &&
		    stage_abandoned(dirfd(d), e->d_name)) {
			dead = util_xrealloc(dead, (ndead + 1) * sizeof(*dead));
			snprintf(dead[ndead++], sizeof(*dead), "%s", e->d_name);
		}
	rewinddir(d);
	while (ndead && (e = readdir(d)))
		for (size_t i = 0; i < ndead; i++) {
			size_t n = strlen(dead[i]);
			if (!strncmp(e->d_name, dead[i], n) && (!e->d_name[n] || e->d_name[n] == '.')) {
				unlinkat(dirfd(d), e->d_name, 0);
				break;
			}
		}
	closedir(d);
	free(dead);
}
