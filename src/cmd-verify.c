#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lock.h"
#include "project.h"
#include "registry.h"
#include "store.h"
#include "yamlconf.h"
#include "trust.h"

struct job {
	const struct lock_package *pkg;
	const struct lock_file *file;
	struct trust_result result;
};

struct work {
	struct job *jobs;
	size_t n;
	const struct trust_policy *policy;
	struct trust_cache *cache;
	const char *lock_dir, *store;
	struct registry_options fetch;
};

static void check_one(void *arg, size_t i, void **state)
{
	struct work *w = arg;
	struct job *j = &w->jobs[i];
	char *checked;

	if (!*state)
		*state = registry_new(&w->fetch, NULL);
	registry_obtain(*state, w->store, w->policy, w->cache, w->lock_dir, j->pkg, j->file, false, &checked,
			&j->result);
	free(checked);
}

static void check_done(void *state)
{
	registry_free(state);
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all-files", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct work w = { .n = 0 };
	struct projctx e;
	struct env_selector sel;
	struct pl_error err;
	char *cache_path = NULL;
	bool json = false, all_files = false, *not_here = NULL;
	size_t skipped = 0;
	int c, rc = CLI_USAGE;

	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'a')
			all_files = true;
		else
			return CLI_USAGE;
	}
	if (argc - optind > 1)
		return cli_usage_error(self, "takes at most one PROJECT");
	pl_error_clear(&err);
	if (cli_project_open(self, optind < argc ? argv[optind] : NULL, &e, &err) < 0)
		goto fail;
	struct lock *lock = e.lock;
	w.fetch = (struct registry_options){
		.ca_file = e.cfg.ca_file, .timeout = e.cfg.fetch_timeout, .deadline = e.cfg.fetch_deadline, .hosts = e.cfg.fetch_hosts.items,
		.nhosts = e.cfg.fetch_hosts.n, .hosts_set = e.cfg.fetch_hosts_set, .policy = &e.policy,
	};
	if (registry_check_lock(&w.fetch, e.lock, &err) < 0)
		goto fail;
	not_here = util_xcalloc(lock->npackages + 1, sizeof(*not_here));
	/* The files this interpreter would use; without one, every file. */
	if (!all_files && projctx_need(&e, PROJCTX_PYTHON, &err) < 0) {
		fprintf(stderr, "pylock: checking every file: ");
		cli_print_error(&err);
		all_files = true;
	}
	if (!all_files)
		env_selector_init(&sel, lock, &e.py);
	if ((cache_path = util_dir_file(UTIL_DIR_CACHE, "hashes", &err)))
		w.cache = trust_cache_open(cache_path);
	for (size_t i = 0; i < lock->npackages; i++) {
		const struct lock_package *p = &lock->packages[i];
		size_t nf = p->nwheels + p->has_sdist + p->has_archive;
		const struct lock_file *best = NULL;
		const char *why;

		if (!all_files && !env_selector_applies(&sel, p, &why) && !why) {
			not_here[i] = true;
			skipped++;
			continue;
		}
		if (!all_files && (best = env_best_wheel(&e.py, p)))
			nf = 1;
		w.jobs = util_xrealloc(w.jobs, (w.n + nf + 1) * sizeof(*w.jobs));
		for (size_t k = 0; k < nf; k++) {
			const struct lock_file *f = best ? best : k < p->nwheels ? &p->wheels[k]
				: (k == p->nwheels && p->has_sdist) ? &p->sdist : &p->archive;
			struct job *j = &w.jobs[w.n++];
			memset(j, 0, sizeof(*j));
			j->pkg = p;
			j->file = f;
		}
	}
	w.policy = &e.policy;
	w.lock_dir = e.proj->root;
	w.store = e.store;
	/* Hashing is most of the work: one thread per core. */
	util_parallel(w.n, check_one, check_done, &w);

	/* A package's status is its worst file's. */
	size_t counts[TRUST_VERIFIED + 1] = { 0 };
	bool failed = false;
	json_t *list = json_array();
	if (!json)
		printf("%-24s %-12s %-17s %-16s %s\n", "NAME", "VERSION", "STATUS", "KEY", "FILE / REASON");
	for (size_t i = 0, k = 0; i < lock->npackages; i++) {
		const struct lock_package *p = &lock->packages[i];
		const struct job *worst = NULL;

		if (not_here[i])
			continue;

		for (; k < w.n && w.jobs[k].pkg == p; k++)
			if (!worst || w.jobs[k].result.status < worst->result.status)
				worst = &w.jobs[k];
		enum trust_status st = worst ? worst->result.status : TRUST_MISSING;
		const char *reason = worst ? worst->result.reason : "the lock records no file for it";
		counts[st]++;
		failed |= st < TRUST_ALLOWED_UNSIGNED;
		if (json)
			json_array_append_new(list, json_pack("{s:s, s:o, s:o, s:s, s:o, s:s}", "name", p->name,
				"version", cli_json_str(p->version), "file", cli_json_str(worst ? worst->file->name : NULL),
				"status", trust_status_name(st),
				"key_id", cli_json_str(worst && worst->result.key_id[0] ? worst->result.key_id : NULL),
				"reason", reason));
		else
			printf("%-24s %-12s %-17s %-16s %s%s%s\n", p->name, p->version ? p->version : "-",
			       trust_status_name(st), worst && worst->result.key_id[0] ? worst->result.key_id : "-",
			       worst ? worst->file->name : "", worst ? ": " : "", reason);
	}
	bool enforce = e.policy.mode == TRUST_ENFORCE;
	if (json) {
		json_t *summary = json_object();
		for (int s = 0; s <= TRUST_VERIFIED; s++)
			json_object_set_new(summary, trust_status_name(s), json_integer((json_int_t)counts[s]));
		json_object_set_new(summary, "not_for_this_interpreter", json_integer((json_int_t)skipped));
		json_object_set_new(summary, "mode", json_string(trust_mode_name(e.policy.mode)));
		json_object_set_new(summary, "ok", json_boolean(!(failed && enforce)));
		cli_print_json(json_pack("{s:o, s:o}", "packages", list, "summary", summary));
	} else {
		json_decref(list);
		const char *sep = ":";
		printf("%zu packages", lock->npackages - skipped);
		for (int s = TRUST_VERIFIED; s >= 0; s--)
			if (counts[s]) {
				printf("%s %zu %s", sep, counts[s], trust_status_name(s));
				sep = ",";
			}
		if (skipped)
			printf(" (%zu more not for this interpreter)", skipped);
		printf(" (mode %s)%s\n", trust_mode_name(e.policy.mode),
		       failed && enforce ? ": FAILED" : failed ? ": problems, not enforced" : "");
	}
	if (trust_cache_close(w.cache, &err) < 0)
		cli_print_error(&err);
	rc = failed && enforce ? CLI_CHECK_FAILED : CLI_OK;
	goto out;
fail:
	cli_print_error(&err);
out:
	free(w.jobs);
	free(not_here);
	free(cache_path);
	projctx_close(&e);
	return rc;
}

const struct cli_command cmd_verify = {
	.name = "verify",
	.usage = "[--all-files] [--json] [PROJECT]",
	.summary = "Check every locked file's hash and signature against the trust policy.",
	.help = "For each package: its files' size and sha256 against the lock, then FILE.sig beside\n"
		"each against the keys policy.yaml trusts for the package's registry (see\n"
		"pylock-policy(5)). One status per package, its worst file's: hash-mismatch,\n"
		"bad-signature, untrusted-signer, unsigned, missing, unhashed, allowed-unsigned, or\n"
		"verified with the signer's key id; then a summary. Files are found by their path\n"
		"(relative to the lock), a file:// or https:// url, a registry's mirror folder, or\n"
		"the package's index (PEP 503 HTML or PEP 691 JSON); remote files are fetched into\n"
		"the store (config fetch: ca-file, timeout) and admitted only if they pass. Checked are\n"
		"the files the interpreter pylock sync would use takes (packages whose marker holds,\n"
		"each one's best wheel, else all its files); --all-files checks every file of every\n"
		"package, whatever the interpreter. Hashes are cached by device, inode, size and\n"
		"mtime, and computed on every core. Exit status 1 when anything is worse than\n"
		"allowed-unsigned under mode enforce. --json prints {\"packages\": [{\"name\",\n"
		"\"version\", \"file\", \"status\", \"key_id\", \"reason\"}], \"summary\": {...}}.",
	.run = run,
	.needs = PROJCTX_POLICY | PROJCTX_LOCK,
};
