#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sigstore.h"
#include "lock.h"
#include "project.h"

static void place(const struct trust_place *at)
{
	if (at->file)
		printf("  (%s:%u:%u)", at->file, at->line, at->col);
	printf("\n");
}

static void print_policy(const struct trust_policy *p)
{
	printf("policy   %s\n", p->path);
	if (p->project_file)
		printf("project  %s tightens it\n", p->project_file);
	printf("mode     %s", trust_mode_name(p->mode));
	if (!p->mode_at.file)
		printf("  (the default)");
	place(&p->mode_at);
	printf("keys     %zu\n", p->nkeys);
	for (size_t i = 0; i < p->nkeys; i++) {
		const struct trust_key *k = &p->keys[i];
		printf("  %-16s %s%s", k->name, k->key_id, k->distrusted ? "  not trusted for this project" : "");
		place(k->distrusted ? &k->distrusted_at : &k->at);
	}
	printf("registries %zu\n", p->nregistries);
	for (size_t i = 0; i < p->nregistries; i++) {
		const struct trust_registry *r = &p->registries[i];
		printf("  %-16s %s%s%s  keys:", r->name, r->url, r->mirror ? "  mirror " : "", r->mirror ? r->mirror : "");
		for (size_t k = 0; k < r->nkeys; k++)
			printf(" %s", r->keys[k]);
		printf("%s", r->nkeys ? "" : " (the top-level keys)");
		place(&r->at);
	}
	printf("allow-unsigned %zu\n", p->nallow);
	for (size_t i = 0; i < p->nallow; i++) {
		const struct trust_allow *a = &p->allow[i];
		printf("  %-16s %s%s%s  \"%s\"", a->name, a->version, a->index ? "  from " : "", a->index ? a->index : "",
		       a->reason);
		place(&a->at);
	}
	struct pl_error err;
	const struct sigstore_root *root = p->sigstore_root ? p->sigstore_root : sigstore_root_builtin(&err);
	printf("sigstore root %s (%s)\n", p->sigstore_root_path ? p->sigstore_root_path : "built-in",
	       root ? sigstore_root_date(root) : err.msg);
	printf("sigstore identities %zu\n", p->nsigstore_ids);
	for (size_t i = 0; i < p->nsigstore_ids; i++) {
		const struct trust_sigstore_identity *id = &p->sigstore_ids[i];
		printf("  issuer%s %s  san%s %s", id->issuer_regexp ? "-regexp" : "", id->issuer,
		       id->san_regexp ? "-regexp" : "", id->san);
		place(&id->at);
	}
}

/* Registries and allow-unsigned entries that no package of the project's
 * locks uses: a typo, or a rule left behind. */
static size_t unused_rules(const struct trust_policy *p, const struct project *proj)
{
	size_t n, warned = 0;
	char **names = project_lock_names(proj->root, &n);
	bool *allow_used = util_xcalloc(p->nallow + 1, sizeof(bool));
	bool *reg_used = util_xcalloc(p->nregistries + 1, sizeof(bool));

	for (size_t l = 0; l < n; l++) {
		struct util_buf path = UTIL_BUF_INIT;
		struct pl_error err;
		struct lock *lock;

		util_buf_printf(&path, "%s/%s", proj->root, names[l]);
		if ((lock = lock_read(path.data, &err))) {
			for (size_t i = 0; i < lock->npackages; i++) {
				const struct lock_package *pkg = &lock->packages[i];
				for (size_t a = 0; a < p->nallow; a++)
					allow_used[a] |= trust_allow_matches(&p->allow[a], pkg);
				for (size_t r = 0; pkg->index && r < p->nregistries; r++)
					reg_used[r] |= util_url_same_folder(p->registries[r].url, pkg->index);
			}
			lock_free(lock);
		}
		util_buf_free(&path);
		free(names[l]);
	}
	free(names);
	for (size_t a = 0; a < p->nallow; a++)
		if (!allow_used[a] && ++warned)
			fprintf(stderr, "pylock: warning: %s:%u:%u: allow-unsigned '%s' %s matches no package in %s's locks\n",
				p->allow[a].at.file, p->allow[a].at.line, p->allow[a].at.col, p->allow[a].name,
				p->allow[a].version, proj->name);
	for (size_t r = 0; r < p->nregistries; r++)
		if (!reg_used[r] && ++warned)
			fprintf(stderr, "pylock: warning: %s:%u:%u: registry '%s' (%s) is the index of no package in %s's "
				"locks\n", p->registries[r].at.file, p->registries[r].at.line, p->registries[r].at.col,
				p->registries[r].name, p->registries[r].url, proj->name);
	free(allow_used);
	free(reg_used);
	return warned;
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct projctx e;
	struct pl_error err;
	bool check = false;
	int c;

	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1) {
		if (c != 'c')
			return CLI_USAGE;
		check = true;
	}
	if (argc - optind > 1)
		return cli_usage_error(self, "takes at most one PROJECT");
	pl_error_clear(&err);
	if (cli_project_open(self, optind < argc ? argv[optind] : NULL, NULL, &e, &err) < 0) {
		cli_print_error(&err);
		return CLI_USAGE;
	}
	if (check) {
		size_t warned = unused_rules(&e.policy, e.proj);
		printf("%s: valid%s\n", e.policy.path, warned ? ", with warnings" : "");
	} else {
		print_policy(&e.policy);
	}
	projctx_close(&e);
	return CLI_OK;
}

const struct cli_command cmd_policy = {
	.name = "policy",
	.usage = "[--check] [PROJECT]",
	.summary = "Show the trust policy a project works under, or check it.",
	.help = "Prints the effective policy: policy.yaml tightened by the project's\n"
		"[tool.pylock.trust], each setting with the file:line:col that decided it (mode, keys\n"
		"and whether this project trusts them, registries, allow-unsigned entries with their\n"
		"name glob, version, index and reason). --check reads and validates it (errors with\n"
		"file:line:col, exit 2) and warns about allow-unsigned entries and registries that no\n"
		"package of the project's locks uses.",
	.run = run,
	.needs = PROJCTX_POLICY,
};
