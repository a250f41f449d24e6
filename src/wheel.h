/* wheel: installs one wheel ("Binary distribution format") into a tree laid
 * out as a virtual environment's root, for an environment that will be
 * mounted at a fixed prefix (/opt/venv): purelib and platlib into
 * lib/pythonX.Y/site-packages, the .data schemes (scripts, headers, data,
 * purelib, platlib), console and GUI entry points as scripts, `#!python`
 * shebangs rewritten, INSTALLER and RECORD rewritten ("Recording installed
 * projects"). Everything is checked before anything is written: absolute
 * paths, `..`, symlinks and special files, duplicates, entries missing from
 * RECORD or disagreeing with it, zip bombs. libzip is loaded on first use. */
#ifndef PYLOCK_WHEEL_H
#define PYLOCK_WHEEL_H

#include <stdint.h>

#include "util.h"

#define WHEEL_MAX_ENTRIES 200000
#define WHEEL_MAX_TOTAL ((uint64_t)4 << 30)	/* bytes, all entries unpacked */
#define WHEEL_MAX_RATIO 200			/* unpacked / packed, for entries over 1 MiB */

/* Installs the wheel file at path (its file name, which names the project
 * and version, is filename) under dest, which must exist and be empty; a
 * failure may leave files in dest (callers build in a temporary folder).
 * pyxy is "3.11"; prefix is where dest will be mounted ("/opt/venv"). */
int wheel_install(const char *path, const char *filename, const char *dest, const char *pyxy, const char *prefix,
		  struct pl_error *err);

/* The METADATA of the wheel at path (named filename), after the same checks
 * of its entries, .dist-info folder, WHEEL and name/version as an install;
 * at most 1 MiB. */
int wheel_metadata(const char *path, const char *filename, struct util_buf *out, struct pl_error *err);

/* The script a console or GUI entry point NAME = MODULE:OBJECT [extras]
 * becomes in bin/ (what installers write), run by prefix's interpreter; -1
 * when NAME is not a safe file name or the value not MODULE:OBJECT. */
int wheel_script(const char *name, const char *value, const char *prefix, struct util_buf *script);
/* One RECORD row for a file written with data: path, sha256=urlsafe base64
 * of its hash, size. */
void wheel_record_row(struct util_buf *record, const char *path, const void *data, size_t len);

/* Checks an installed project's files against its RECORD (site is the
 * site-packages folder, dist_info the .dist-info folder's name): *drifted
 * counts files missing or whose hash or size differ; first (may be NULL)
 * gets the first one's RECORD path. */
int wheel_record_verify(const char *site, const char *dist_info, size_t *drifted, char *first, size_t first_len,
			struct pl_error *err);

#endif
