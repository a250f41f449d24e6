#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "sigstore.h"

/* The attestation's signer, or null when a key (or nothing) decided. */
static json_t *signer_json(const struct trust_signer *s)
{
	if (!s->issuer[0])
		return json_null();
	return json_pack("{s:o, s:s, s:s, s:o, s:o, s:s}", "kind", cli_json_str(s->kind[0] ? s->kind : NULL),
			 "issuer", s->issuer, "san", s->san, "repository", cli_json_str(s->repository[0] ? s->repository : NULL),
			 "workflow", cli_json_str(s->workflow[0] ? s->workflow : NULL), "described", s->described);
}

static json_t *root_json(const struct trust_policy *p)
{
	const struct sigstore_root *root = p->sigstore_root;
	struct pl_error err;

	if (!root)
		root = sigstore_root_builtin(&err);
	return json_pack("{s:s, s:o}", "source", p->sigstore_root_path ? p->sigstore_root_path : "built-in",
			 "date", cli_json_str(root ? sigstore_root_date(root) : NULL));
}

static void print_json(const struct projctx *e, const struct audit *a)
{
	json_t *list = json_array(), *summary = json_object();

	for (size_t i = 0; i < a->n; i++) {
		const struct audit_package *p = &a->packages[i];
		json_array_append_new(list, json_pack("{s:s, s:o, s:o, s:s, s:o, s:o, s:s}", "name", p->pkg->name,
			"version", cli_json_str(p->pkg->version), "file", cli_json_str(p->file ? p->file->name : NULL),
			"status", trust_status_name(p->result.status),
			"key_id", cli_json_str(p->result.key_id[0] ? p->result.key_id : NULL),
			"signer", signer_json(&p->result.signer), "reason", p->result.reason));
	}
	for (int s = 0; s <= TRUST_VERIFIED; s++)
		json_object_set_new(summary, trust_status_name(s), json_integer((json_int_t)a->counts[s]));
	json_object_set_new(summary, "not_for_this_interpreter", json_integer((json_int_t)a->skipped));
	json_object_set_new(summary, "mode", json_string(trust_mode_name(e->policy.mode)));
	json_object_set_new(summary, "ok", json_boolean(!a->enforced));
	cli_print_json(json_pack("{s:o, s:o, s:o}", "packages", list, "summary", summary, "trusted_root",
				 root_json(&e->policy)));
}

static void print_table(const struct projctx *e, const struct audit *a)
{
	const char *sep = ":";

	printf("%-24s %-12s %-17s %-16s %s\n", "NAME", "VERSION", "STATUS", "SIGNER", "FILE / REASON");
	for (size_t i = 0; i < a->n; i++) {
		const struct audit_package *p = &a->packages[i];
		const char *signer = p->result.signer.described[0] ? p->result.signer.described
				     : p->result.key_id[0] ? p->result.key_id : "-";
		printf("%-24s %-12s %-17s %-16s %s%s%s\n", p->pkg->name, p->pkg->version ? p->pkg->version : "-",
		       trust_status_name(p->result.status), signer, p->file ? p->file->name : "", p->file ? ": " : "",
		       p->result.reason);
	}
	printf("%zu packages", a->n);
	for (int s = TRUST_VERIFIED; s >= 0; s--)
		if (a->counts[s]) {
			printf("%s %zu %s", sep, a->counts[s], trust_status_name(s));
			sep = ",";
		}
	if (a->skipped)
		printf(" (%zu more not for this interpreter)", a->skipped);
	printf(" (mode %s)%s\n", trust_mode_name(e->policy.mode),
	       a->enforced ? ": FAILED" : a->failed ? ": problems, not enforced" : "");
}

static int run(const struct cli_command *self, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all-files", no_argument, NULL, 'a' },
		CLI_SELECT_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_select sel = { .req.lock = NULL };
	struct env_progress bar = { cli_progress_bar, NULL, NULL };
	struct projctx e;
	struct audit a = { .n = 0 };
	struct pl_error err;
	bool json = false, all_files = false;
	int c, rc = CLI_USAGE;

	while ((c = cli_getopt(self, argc, argv, "", opts)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'a')
			all_files = true;
		else if (cli_select_option(self, c, optarg, &sel) != 1)
			return CLI_USAGE;
	}
	if (argc - optind > 1)
		return cli_usage_error(self, "takes at most one PROJECT");
	pl_error_clear(&err);
	if (cli_project_open(self, optind < argc ? argv[optind] : NULL, &sel, &e, &err) < 0 ||
	    audit_run(&e, all_files, isatty(2) ? &bar : NULL, &a, &err) < 0)
		goto fail;
	if (a.every_file_why[0])
		fprintf(stderr, "pylock: checking every file: %s\n", a.every_file_why);
	if (json)
		print_json(&e, &a);
	else
		print_table(&e, &a);
	if (a.cache_why[0])
		fprintf(stderr, "pylock: %s\n", a.cache_why);
	rc = a.enforced ? CLI_CHECK_FAILED : CLI_OK;
	goto out;
fail:
	cli_print_error(&err);
out:
	audit_fini(&a);
	projctx_close(&e);
	return rc;
}

const struct cli_command cmd_verify = {
	.name = "verify",
	.usage = "[--all-files] [--json] " CLI_SELECT_USAGE " [PROJECT]",
	.summary = "Check every locked file's hash and signature against the trust policy.",
	.help = "For each package: its files' size and sha256 against the lock, then what vouches for\n"
		"each beside it: Sigstore evidence (FILE.provenance, FILE.publish.attestation,\n"
		"FILE.attestation, FILE.sigstore.json, FILE.sigstore), verified offline against the\n"
		"trusted root and wanted when its signer is one of the lock's attestation-identities\n"
		"or the policy's sigstore identities; then FILE.sig against the keys policy.yaml\n"
		"trusts for the package's registry (see pylock-policy(5)). One status per package,\n"
		"its worst file's: hash-mismatch, bad-signature, untrusted-signer, unsigned, missing,\n"
		"unhashed, allowed-unsigned, or verified with the signer (a key id, or a publisher\n"
		"such as \"GitHub owner/repo release.yml\"); then a summary. Files are found by their path\n"
		"(relative to the lock), a file:// or https:// url, a registry's mirror folder, or\n"
		"the package's index (PEP 503 HTML or PEP 691 JSON); remote files are fetched into\n"
		"the store (config fetch: ca-file, timeout) and admitted only if they pass. Checked are\n"
		"the files the interpreter pylock sync would use takes (packages whose marker holds,\n"
		"each one's best wheel, else all its files); --all-files checks every file of every\n"
		"package, whatever the interpreter. Hashes are cached by device, inode, size and\n"
		"mtime, and computed on every core. Exit status 1 when anything is worse than\n"
		"allowed-unsigned under mode enforce. --json prints {\"packages\": [{\"name\",\n"
		"\"version\", \"file\", \"status\", \"key_id\", \"signer\": {\"kind\", \"issuer\", \"san\",\n"
		"\"repository\", \"workflow\", \"described\"} or null, \"reason\"}], \"summary\": {...},\n"
		"\"trusted_root\": {\"source\", \"date\"}}." CLI_SELECT_HELP,
	.run = run,
	.needs = PROJCTX_POLICY | PROJCTX_LOCK,
};
