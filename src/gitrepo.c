/* Thin, careful use of libgit2: every call's failure becomes a pl_error
 * naming the repository. */
#include "config.h"
#include "gitrepo.h"

#include <git2.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dl.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

struct gitrepo {
	git_repository *git;
	char *workdir;
};

/* libgit2 (and the dozen libraries it pulls in) is loaded on first use:
 * linked normally it costs every pylock command 2 ms at start-up, which
 * `pylock run` cannot afford. The header still types every call. */
#define GIT_FUNCTIONS(X) \
	X(git_libgit2_init) \
	X(git_libgit2_shutdown) \
	X(git_error_last) \
	X(git_error_clear) \
	X(git_repository_open_ext) \
	X(git_repository_workdir) \
	X(git_repository_free) \
	X(git_repository_is_worktree) \
	X(git_repository_commondir) \
	X(git_repository_head) \
	X(git_reference_lookup) \
	X(git_reference_symbolic_target) \
	X(git_reference_free) \
	X(git_repository_head_detached) \
	X(git_oid_tostr) \
	X(git_reference_target) \
	X(git_reference_shorthand) \
	X(git_reference_is_branch) \
	X(git_branch_upstream) \
	X(git_graph_ahead_behind) \
	X(git_status_file) \
	X(git_repository_index) \
	X(git_index_entrycount) \
	X(git_index_get_byindex) \
	X(git_index_free) \
	X(git_submodule_foreach) \
	X(git_submodule_path) \
	X(git_revparse_single) \
	X(git_object_free) \
	X(git_object_lookup_bypath) \
	X(git_blob_rawcontent) \
	X(git_blob_rawsize) \
	X(git_index_conflict_get) \
	X(git_blob_lookup) \
	X(git_blob_free) \
	X(git_index_add_bypath) \
	X(git_index_write) \
	X(git_repository_state) \
	X(git_index_conflict_iterator_new) \
	X(git_index_conflict_next) \
	X(git_index_conflict_iterator_free)

static DL_TABLE(GIT_FUNCTIONS) git_fn;

#define G(f) (git_fn.f)

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static const char *load_error;

static void shutdown_libgit2(void)
{
	G(git_libgit2_shutdown)();
}

/* libgit2 opens files with a plain open(2): a FIFO or device where it
 * expects .git/index, config, a ref, .gitmodules or a .gitignore would stop
 * it forever. While a libgit2 call runs, a timer on the calling thread
 * interrupts any blocking system call every WATCH_NS; the open then fails
 * with EINTR and the error names the file. Reading a regular file never
 * blocks, so the ticks cost a healthy repository nothing. */
#define WATCH_NS 250000000L
#define WATCH_SIGNAL (SIGRTMIN + 3)

static __thread int watch_depth;
static __thread timer_t watch_timer;

static void watch_tick(int sig)
{
	(void)sig;
}

static void watch_install(void)
{
	struct sigaction sa = { .sa_handler = watch_tick };

	sigemptyset(&sa.sa_mask);
	sigaction(WATCH_SIGNAL, &sa, NULL);	/* no SA_RESTART: the point */
}

static void watch_begin(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = WATCH_SIGNAL };
	struct itimerspec every = { { 0, WATCH_NS }, { 0, WATCH_NS } };

	if (watch_depth++)
		return;
	ev.sigev_notify_thread_id = gettid();
	if (timer_create(CLOCK_MONOTONIC, &ev, &watch_timer) == 0)
		timer_settime(watch_timer, 0, &every, NULL);
	else
		watch_timer = NULL;
}

static void watch_end(void)
{
	if (--watch_depth || !watch_timer)
		return;
	timer_delete(watch_timer);
	watch_timer = NULL;
}

/* A libgit2 call that may open files, under the watch. */
#define W(call) ({ watch_begin(); int watched_ = (call); watch_end(); watched_; })

static void init_libgit2(void)
{
	if ((load_error = DL_LOAD(LIBGIT2_SONAME, GIT_FUNCTIONS, git_fn)))
		return;
	G(git_libgit2_init)();
	watch_install();
	atexit(shutdown_libgit2);
}

static int git_fail(struct pl_error *err, const char *path, const char *what)
{
	const git_error *e = G(git_error_last)();
	const char *msg = e && e->message ? e->message : "git error", *q, *end;
	char file[1024];
	struct stat st;

	/* An open the watch interrupted: name the file and what it is. */
	if ((q = strchr(msg, '\'')) && (end = strchr(q + 1, '\'')) && (size_t)(end - q) < sizeof(file)) {
		snprintf(file, sizeof(file), "%.*s", (int)(end - q - 1), q + 1);
		if (stat(file, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			return pl_error_set(err, path, 0, 0, "%s: %s is %s, not a regular file", what, file,
					    util_file_kind(st.st_mode));
	}
	return pl_error_set(err, path, 0, 0, "%s: %s", what, msg);
}

/* libgit2, like git, refuses a repository another user owns unless
 * safe.directory lists it, and says so in words no one can act on. */
static bool foreign_owner(const char *path, struct pl_error *err)
{
	const git_error *e = G(git_error_last)();
	char git[4200];
	struct stat st;

	if (!e || !e->message || (!strstr(e->message, "safe.directory") && !strstr(e->message, "owned")))
		return false;
	snprintf(git, sizeof(git), "%s/.git", path);
	if ((stat(git, &st) < 0 && stat(path, &st) < 0) || st.st_uid == geteuid())
		return false;
	struct passwd pwbuf, *pw = NULL;
	char names[1024];
	getpwuid_r(st.st_uid, &pwbuf, names, sizeof(names), &pw);	/* discover calls from threads */
	pl_error_set(err, path, 0, 0, "owned by another user (%s, uid %u): git does not trust it unless you "
		     "list it in safe.directory (git config --global --add safe.directory %s)",
		     pw ? pw->pw_name : "?", (unsigned)st.st_uid, path);
	return true;
}

static int open_repo(const char *path, unsigned int flags, struct gitrepo **out, struct pl_error *err)
{
	git_repository *git;
	const char *wd;
	size_t n;

	pthread_once(&init_once, init_libgit2);
	if (load_error)
		return pl_error_set(err, path, 0, 0, "cannot load libgit2 (%s): %s", LIBGIT2_SONAME, load_error);
	if (W(G(git_repository_open_ext)(&git, path, flags, NULL)) < 0) {
		if (foreign_owner(path, err))
			return -1;
		return git_fail(err, path, flags ? "cannot open repository" : "not in a git repository");
	}
	if (!(wd = G(git_repository_workdir)(git))) {
		G(git_repository_free)(git);
		return pl_error_set(err, path, 0, 0, "bare repository (no work tree)");
	}
	*out = util_xcalloc(1, sizeof(**out));
	(*out)->git = git;
	n = strlen(wd);
	while (n > 1 && wd[n - 1] == '/')
		n--;
	(*out)->workdir = util_xstrndup(wd, n);
	return 0;
}

int gitrepo_open(const char *path, struct gitrepo **out, struct pl_error *err)
{
	return open_repo(path, GIT_REPOSITORY_OPEN_NO_SEARCH, out, err);
}

int gitrepo_open_containing(const char *path, struct gitrepo **out, struct pl_error *err)
{
	return open_repo(path, 0, out, err);
}

int gitrepo_read_at(const struct gitrepo *repo, const char *rev, const char *path, size_t max,
		    char **data, size_t *len, struct pl_error *err)
{
	git_object *commit = NULL, *blob = NULL;
	int rc;

	if (W(G(git_revparse_single)(&commit, repo->git, rev)) < 0)
		return git_fail(err, repo->workdir, "unknown revision");
	rc = W(G(git_object_lookup_bypath)(&blob, commit, path, GIT_OBJECT_BLOB));
	G(git_object_free)(commit);
	if (rc == GIT_ENOTFOUND) {
		G(git_error_clear)();
		return 1;
	}
	if (rc < 0)
		return git_fail(err, repo->workdir, "cannot read the file at that revision");
	size_t size = (size_t)G(git_blob_rawsize)((git_blob *)blob);
	if (size > max) {
		G(git_object_free)(blob);
		return pl_error_set(err, path, 0, 0, "larger than the %zu bytes allowed", max);
	}
	*data = util_xmalloc(size + 1);
	memcpy(*data, G(git_blob_rawcontent)((git_blob *)blob), size);
	(*data)[size] = '\0';
	*len = size;
	G(git_object_free)(blob);
	return 0;
}

void gitrepo_free(struct gitrepo *repo)
{
	if (!repo)
		return;
	G(git_repository_free)(repo->git);
	free(repo->workdir);
	free(repo);
}

const char *gitrepo_workdir(const struct gitrepo *repo)
{
	return repo->workdir;
}

char *gitrepo_worktree_of(const struct gitrepo *repo)
{
	const char *common;
	size_t n;

	if (!G(git_repository_is_worktree)(repo->git))
		return NULL;
	/* The common dir is MAIN/.git/ for a non-bare main repository. */
	common = G(git_repository_commondir)(repo->git);
	n = strlen(common);
	while (n > 1 && common[n - 1] == '/')
		n--;
	if (n >= 5 && !memcmp(common + n - 5, "/.git", 5))
		n -= 5;
	return util_xstrndup(common, n);
}

char *gitrepo_branch(const struct gitrepo *repo, struct pl_error *err)
{
	git_reference *head = NULL;
	struct util_buf b = UTIL_BUF_INIT;
	int rc = W(G(git_repository_head)(&head, repo->git));

	if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
		/* No commit yet: HEAD still names the branch to be born. */
		const char *target;

		if (W(G(git_reference_lookup)(&head, repo->git, "HEAD")) < 0 ||
		    !(target = G(git_reference_symbolic_target)(head))) {
			G(git_reference_free)(head);
			git_fail(err, repo->workdir, "cannot read HEAD");
			return NULL;
		}
		util_buf_puts(&b, strncmp(target, "refs/heads/", 11) ? target : target + 11);
	} else if (rc < 0) {
		git_fail(err, repo->workdir, "cannot read HEAD");
		return NULL;
	} else if (G(git_repository_head_detached)(repo->git) == 1) {
		char sha[8];

		G(git_oid_tostr)(sha, sizeof(sha), G(git_reference_target)(head));
		util_buf_printf(&b, "@%s", sha);
	} else
		util_buf_puts(&b, G(git_reference_shorthand)(head));
	G(git_reference_free)(head);
	return util_buf_steal(&b);
}

int gitrepo_ahead_behind(const struct gitrepo *repo, int *ahead, int *behind,
			 bool *has_upstream, struct pl_error *err)
{
	git_reference *head = NULL, *up = NULL;
	size_t a = 0, b = 0;
	int rc = 0;

	*ahead = *behind = 0;
	*has_upstream = false;
	if (W(G(git_repository_head)(&head, repo->git)) < 0 || !G(git_reference_is_branch)(head))
		goto out;	/* unborn or detached: no upstream to compare with */
	if (W(G(git_branch_upstream)(&up, head)) < 0)
		goto out;
	if (W(G(git_graph_ahead_behind)(&a, &b, repo->git, G(git_reference_target)(head),
				   G(git_reference_target)(up))) < 0) {
		rc = git_fail(err, repo->workdir, "cannot compare with the upstream");
		goto out;
	}
	*has_upstream = true;
	*ahead = a > 1000000 ? 1000000 : (int)a;
	*behind = b > 1000000 ? 1000000 : (int)b;
out:
	G(git_reference_free)(up);
	G(git_reference_free)(head);
	G(git_error_clear)();
	return rc;
}

int gitrepo_path_state(const struct gitrepo *repo, const char *path, enum gitrepo_state *state,
		       struct pl_error *err)
{
	unsigned int flags = 0;
	int rc = W(G(git_status_file)(&flags, repo->git, path));

	if (rc == GIT_ENOTFOUND) {
		*state = GITREPO_NONE;
		G(git_error_clear)();
		return 0;
	}
	if (rc < 0)
		return git_fail(err, repo->workdir, "cannot read the status");
	if (flags & GIT_STATUS_CONFLICTED)
		*state = GITREPO_CONFLICTED;
	else if (flags & GIT_STATUS_WT_NEW)
		*state = GITREPO_UNTRACKED;
	else if (flags & (GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_DELETED | GIT_STATUS_WT_TYPECHANGE |
			  GIT_STATUS_WT_RENAMED))
		*state = GITREPO_MODIFIED;
	else if (flags & (GIT_STATUS_INDEX_NEW | GIT_STATUS_INDEX_MODIFIED | GIT_STATUS_INDEX_DELETED |
			  GIT_STATUS_INDEX_RENAMED | GIT_STATUS_INDEX_TYPECHANGE))
		*state = GITREPO_STAGED;
	else if (flags & GIT_STATUS_IGNORED)
		*state = GITREPO_NONE;
	else
		*state = GITREPO_CLEAN;
	return 0;
}

static int read_blob(const struct gitrepo *repo, const git_oid *id, size_t max, char **data, size_t *len,
		     struct pl_error *err)
{
	git_blob *blob;
	size_t size;

	if (W(G(git_blob_lookup)(&blob, repo->git, id)) < 0)
		return git_fail(err, repo->workdir, "cannot read a conflict stage");
	size = (size_t)G(git_blob_rawsize)(blob);
	if (size > max) {
		G(git_blob_free)(blob);
		return pl_error_set(err, repo->workdir, 0, 0, "a conflict stage is larger than %zu bytes", max);
	}
	*data = util_xmalloc(size + 1);
	memcpy(*data, G(git_blob_rawcontent)(blob), size);
	(*data)[size] = '\0';
	*len = size;
	G(git_blob_free)(blob);
	return 0;
}

int gitrepo_conflict(const struct gitrepo *repo, const char *path, size_t max,
		     char *data[3], size_t len[3], struct pl_error *err)
{
	const git_index_entry *stage[3] = { NULL, NULL, NULL };
	git_index *index;
	int rc;

	for (int i = 0; i < 3; i++) {
		data[i] = NULL;
		len[i] = 0;
	}
	if (W(G(git_repository_index)(&index, repo->git)) < 0)
		return git_fail(err, repo->workdir, "cannot read the index");
	rc = G(git_index_conflict_get)(&stage[0], &stage[1], &stage[2], index, path);
	if (rc == GIT_ENOTFOUND) {
		G(git_error_clear)();
		G(git_index_free)(index);
		return 1;
	}
	if (rc < 0) {
		G(git_index_free)(index);
		return git_fail(err, repo->workdir, "cannot read the conflict");
	}
	for (int i = 0; i < 3 && rc == 0; i++)
		if (stage[i] && read_blob(repo, &stage[i]->id, max, &data[i], &len[i], err) < 0)
			rc = -1;
	G(git_index_free)(index);
	if (rc < 0)
		for (int i = 0; i < 3; i++) {
			free(data[i]);
			data[i] = NULL;
		}
	return rc;
}

int gitrepo_stage(const struct gitrepo *repo, const char *path, struct pl_error *err)
{
	git_index *index;
	int rc = 0;

	if (W(G(git_repository_index)(&index, repo->git)) < 0)
		return git_fail(err, repo->workdir, "cannot read the index");
	if (W(G(git_index_add_bypath)(index, path)) < 0 || W(G(git_index_write)(index)) < 0)
		rc = git_fail(err, repo->workdir, "cannot stage the resolved file");
	G(git_index_free)(index);
	return rc;
}

const char *gitrepo_operation(const struct gitrepo *repo)
{
	switch (G(git_repository_state)(repo->git)) {
	case GIT_REPOSITORY_STATE_MERGE:
		return "merge";
	case GIT_REPOSITORY_STATE_REVERT:
	case GIT_REPOSITORY_STATE_REVERT_SEQUENCE:
		return "revert";
	case GIT_REPOSITORY_STATE_CHERRYPICK:
	case GIT_REPOSITORY_STATE_CHERRYPICK_SEQUENCE:
		return "cherry-pick";
	case GIT_REPOSITORY_STATE_REBASE:
	case GIT_REPOSITORY_STATE_REBASE_INTERACTIVE:
	case GIT_REPOSITORY_STATE_REBASE_MERGE:
		return "rebase";
	case GIT_REPOSITORY_STATE_APPLY_MAILBOX:
	case GIT_REPOSITORY_STATE_APPLY_MAILBOX_OR_REBASE:
		return "am";
	case GIT_REPOSITORY_STATE_BISECT:
		return "bisect";
	default:
		return NULL;
	}
}

int gitrepo_unmerged(const struct gitrepo *repo, char ***paths, size_t *n, struct pl_error *err)
{
	git_index_conflict_iterator *it;
	const git_index_entry *stage[3];
	git_index *index;
	int rc;

	*paths = NULL;
	*n = 0;
	if (W(G(git_repository_index)(&index, repo->git)) < 0)
		return git_fail(err, repo->workdir, "cannot read the index");
	if (G(git_index_conflict_iterator_new)(&it, index) < 0) {
		G(git_index_free)(index);
		return git_fail(err, repo->workdir, "cannot read the index's conflicts");
	}
	while ((rc = G(git_index_conflict_next)(&stage[0], &stage[1], &stage[2], it)) == 0) {
		const git_index_entry *e = stage[1] ? stage[1] : stage[2] ? stage[2] : stage[0];
		*paths = util_xrealloc(*paths, (*n + 1) * sizeof(**paths));
		(*paths)[(*n)++] = util_xstrdup(e->path);
	}
	G(git_index_conflict_iterator_free)(it);
	G(git_index_free)(index);
	if (rc != GIT_ITEROVER) {
		for (size_t i = 0; i < *n; i++)
			free((*paths)[i]);
		free(*paths);
		*paths = NULL;
		*n = 0;
		return git_fail(err, repo->workdir, "cannot read the index's conflicts");
	}
	G(git_error_clear)();
	return 0;
}

int gitrepo_foreach_tracked(const struct gitrepo *repo,
			    void (*fn)(const char *path, void *ctx), void *ctx, struct pl_error *err)
{
	git_index *index;
	const char *last = NULL;

	if (W(G(git_repository_index)(&index, repo->git)) < 0)
		return git_fail(err, repo->workdir, "cannot read the index");
	size_t n = G(git_index_entrycount)(index);
	for (size_t i = 0; i < n; i++) {
		const git_index_entry *e = G(git_index_get_byindex)(index, i);

		/* Conflict stages of one path are adjacent in the sorted index. */
		if (!e || (last && !strcmp(last, e->path)))
			continue;
		last = e->path;
		fn(e->path, ctx);
	}
	G(git_index_free)(index);
	return 0;
}

/* The paths are gathered under the watch and handed out after it. */
static int submodule_cb(git_submodule *sm, const char *name, void *payload)
{
	struct util_buf *paths = payload;

	util_buf_puts(paths, G(git_submodule_path)(sm));
	util_buf_putc(paths, '\0');
	return 0;
}

int gitrepo_foreach_submodule(const struct gitrepo *repo,
			      void (*fn)(const char *path, void *ctx), void *ctx)
{
	struct util_buf paths = UTIL_BUF_INIT, b = UTIL_BUF_INIT;

	/* A repository whose .gitmodules cannot be read simply has none we can use. */
	if (W(G(git_submodule_foreach)(repo->git, submodule_cb, &paths)) < 0)
		G(git_error_clear)();
	for (size_t at = 0; at < paths.len; at += strlen(paths.data + at) + 1) {
		util_buf_truncate(&b, 0);
		util_buf_printf(&b, "%s/%s", repo->workdir, paths.data + at);
		fn(b.data, ctx);
	}
	util_buf_free(&b);
	util_buf_free(&paths);
	return 0;
}
