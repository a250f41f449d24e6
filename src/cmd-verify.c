#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"

static void print_json(const struct projctx *e, const struct audit *a)
{
	json_t *list = json_array(), *summary = json_object();

	for (size_t i = 0; i < a->n; i++) {
		const struct audit_package *p = &a->packages[i];
		json_array_append_new(list, json_pack("{s:s, s:o, s:o, s:s, s:o, s:s}", "name", p->pkg->name,
			"version", cli_json_str(p->pkg->version), "file", cli_json_str(p->file ? p->file->name : NULL),
			"status", trust_status_name(p->result.status),
			"key_id", cli_json_str(p->result.key_id[0] ? p->result.key_id : NULL), "reason", p->result.reason));
	}
	for (int s = 0; s <= TRUST_VERIFIED; s++)
		json_object_set_new(summary, trust_status_name(s), json_integer((json_int_t)a->counts[s]));
	json_object_set_new(summary, "not_for_this_interpreter", json_integer((json_int_t)a->skipped));
	json_object_set_new(summary, "mode", json_string(trust_mode_name(e->policy.mode)));
	json_object_set_new(summary, "ok", json_boolean(!a->enforced));
	cli_print_json(json_pack("{s:o, s:o}", "packages", list, "summary", summary));
}

static void print_table(const struct projctx *e, const struct audit *a)
{
	const char *sep = ":";

	printf("%-24s %-12s %-17s %-16s %s\n", "NAME", "VERSION", "STATUS", "KEY", "FILE / REASON");
	for (size_t i = 0; i < a->n; i++) {
		const struct audit_package *p = &a->packages[i];
		printf("%-24s %-12s %-17s %-16s %s%s%s\n", p->pkg->name, p->pkg->version ? p->pkg->version : "-",
		       trust_status_name(p->result.status), p->result.key_id[0] ? p->result.key_id : "-",
		       p->file ? p->file->name : "", p->file ? ": " : "", p->result.reason);
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
	struct env_progress bar = { cli_progress_bar, NULL };
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
		"\"version\", \"file\", \"status\", \"key_id\", \"reason\"}], \"summary\": {...}}." CLI_SELECT_HELP,
	.run = run,
	.needs = PROJCTX_POLICY | PROJCTX_LOCK,
};
