/* The hash cache: sha256 of files already hashed, keyed by (device,
 * inode, size, mtime), one file in the cache folder. */
#include "config.h"
#include "trust.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust-internal.h"

struct cache_entry {
	uint64_t dev, ino, size, mtime_ns;
	char hex[65];
	bool used;
};

struct trust_cache {
	char *path;
	struct cache_entry *slots;
	size_t cap, n;
	bool dirty;
	pthread_mutex_t lock;
};

static size_t slot_of(const struct trust_cache *c, uint64_t dev, uint64_t ino)
{
	uint64_t h = (dev * 0x9e3779b97f4a7c15ull) ^ (ino * 0xc2b2ae3d27d4eb4full);

	return (size_t)(h ^ (h >> 29)) & (c->cap - 1);
}

static void cache_put_locked(struct trust_cache *c, const struct cache_entry *e)
{
	if ((c->n + 1) * 2 > c->cap) {
		struct cache_entry *old = c->slots;
		size_t oldcap = c->cap;

		c->cap = c->cap ? c->cap * 2 : 1024;
		c->slots = util_xcalloc(c->cap, sizeof(*c->slots));
		c->n = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].used)
				cache_put_locked(c, &old[i]);
		free(old);
	}
	size_t i = slot_of(c, e->dev, e->ino);
	while (c->slots[i].used && !(c->slots[i].dev == e->dev && c->slots[i].ino == e->ino))
		i = (i + 1) & (c->cap - 1);
	if (!c->slots[i].used)
		c->n++;
	c->slots[i] = *e;
	c->slots[i].used = true;
}

struct trust_cache *trust_cache_open(const char *path)
{
	struct trust_cache *c = util_xcalloc(1, sizeof(*c));
	struct pl_error err;
	char *text;
	size_t len;

	pthread_mutex_init(&c->lock, NULL);
	c->path = util_xstrdup(path);
	if (util_read_file(path, 64u << 20, &text, &len, &err) < 0)
		return c;
	/* One line per file: dev ino size mtime_ns sha256. Bad lines are dropped. */
	for (char *line = text, *next; *line; line = next) {
		struct cache_entry e = { 0 };
		unsigned long long dev, ino, size, mt;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (sscanf(line, "%llu %llu %llu %llu %64s", &dev, &ino, &size, &mt, e.hex) == 5 &&
		    strlen(e.hex) == 64) {
			e.dev = dev;
			e.ino = ino;
			e.size = size;
			e.mtime_ns = mt;
			cache_put_locked(c, &e);
		}
	}
	free(text);
	return c;
}

struct trust_cache *trust_cache_open_default(void)
{
	struct pl_error err;
	char *path = util_dir_file(UTIL_DIR_CACHE, "hashes", &err);
	struct trust_cache *c = path ? trust_cache_open(path) : NULL;

	free(path);
	return c;
}

static void stat_key(const struct stat *st, struct cache_entry *e)
{
	e->dev = (uint64_t)st->st_dev;
	e->ino = (uint64_t)st->st_ino;
	e->size = (uint64_t)st->st_size;
	e->mtime_ns = (uint64_t)st->st_mtim.tv_sec * 1000000000ull + (uint64_t)st->st_mtim.tv_nsec;
}

bool trust_cache_get(struct trust_cache *c, const struct stat *st, char hex[65])
{
	struct cache_entry k;
	bool found = false;

	if (!c)
		return false;
	stat_key(st, &k);
	pthread_mutex_lock(&c->lock);
	if (c->cap) {
		size_t i = slot_of(c, k.dev, k.ino);
		while (c->slots[i].used) {
			struct cache_entry *e = &c->slots[i];
			if (e->dev == k.dev && e->ino == k.ino) {
				found = e->size == k.size && e->mtime_ns == k.mtime_ns;
				if (found)
					memcpy(hex, e->hex, 65);
				break;
			}
			i = (i + 1) & (c->cap - 1);
		}
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}

void trust_cache_put(struct trust_cache *c, const struct stat *st, const char hex[65])
{
	struct cache_entry e;

	if (!c)
		return;
	stat_key(st, &e);
	memcpy(e.hex, hex, 65);
	pthread_mutex_lock(&c->lock);
	cache_put_locked(c, &e);
	c->dirty = true;
	pthread_mutex_unlock(&c->lock);
}

int trust_cache_close(struct trust_cache *c, struct pl_error *err)
{
	struct util_buf b = UTIL_BUF_INIT;
	int rc = 0;

	if (!c)
		return 0;
	if (c->dirty) {
		char *dir = util_xstrdup(c->path);
		*strrchr(dir, '/') = '\0';
		for (size_t i = 0; i < c->cap; i++)
			if (c->slots[i].used)
				util_buf_printf(&b, "%llu %llu %llu %llu %s\n", (unsigned long long)c->slots[i].dev,
						(unsigned long long)c->slots[i].ino, (unsigned long long)c->slots[i].size,
						(unsigned long long)c->slots[i].mtime_ns, c->slots[i].hex);
		rc = util_mkdir_p(dir, 0700, err) < 0 ? -1
		   : util_write_atomic(c->path, util_buf_str(&b), b.len, 0600, err);
		free(dir);
	}
	util_buf_free(&b);
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
	free(c->path);
	free(c);
	return rc;
}
