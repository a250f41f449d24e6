/* Libraries loaded on first use (see dl.h). */
#include "config.h"
#include "dl.h"

#include <dlfcn.h>
#include <string.h>

#include "util.h"

typedef void (*dl_function)(void);

const char *dl_load(const char *soname, const char *const names[], size_t n, void *table, size_t size)
{
	void *lib;

	if (size != n * sizeof(dl_function))
		return "a function table that does not match its list";
	if (!(lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL)))
		return util_xstrdup(dlerror());
	for (size_t i = 0; i < n; i++) {
		void *sym = dlsym(lib, names[i]);
		dl_function f;

		if (!sym) {
			struct util_buf b = UTIL_BUF_INIT;
			util_buf_printf(&b, "%s has no function %s", soname, names[i]);
			return util_buf_steal(&b);
		}
		/* POSIX: a dlsym result may be converted to a function pointer. */
		memcpy(&f, &sym, sizeof(f));
		memcpy((char *)table + i * sizeof(f), &f, sizeof(f));
	}
	return NULL;
}
