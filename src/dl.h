/* dl: a library loaded on first use (dlopen), its functions typed by the
 * library's own header. A module lists the functions it calls in an
 * X-macro, declares its table with DL_TABLE and fills it with DL_LOAD:
 *
 *	#define ZIP_FUNCTIONS(X) X(zip_open) X(zip_close)
 *	static DL_TABLE(ZIP_FUNCTIONS) zip_fn;
 *	why = DL_LOAD(LIBZIP_SONAME, ZIP_FUNCTIONS, zip_fn);
 *
 * Loading libraries late keeps pylock's start-up to what a command uses. */
#ifndef PYLOCK_DL_H
#define PYLOCK_DL_H

#include <stddef.h>

#define DL_POINTER_(f) __typeof__(f) *f;
#define DL_NAME_(f) #f,
#define DL_TABLE(list) struct { list(DL_POINTER_) }
/* NULL when every function was found, else why not (for the process's
 * life). */
#define DL_LOAD(soname, list, table) \
	dl_load(soname, (const char *const[]){ list(DL_NAME_) }, \
		sizeof((const char *const[]){ list(DL_NAME_) }) / sizeof(const char *), &(table), sizeof(table))

/* Opens soname and resolves names[0..n) into the function pointers of
 * table (size bytes, one pointer per name, in order). */
const char *dl_load(const char *soname, const char *const names[], size_t n, void *table, size_t size);

#endif
