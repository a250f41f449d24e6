/* Keys made and files signed: ECDSA P-256 and Ed25519, as cosign and
 * openssl make them. */
#include "config.h"
#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trust-internal.h"

static int write_new(const char *path, const void *data, size_t len, mode_t mode, struct pl_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	ssize_t n;

	if (fd < 0)
		return pl_error_errno(err, path, errno == EEXIST ? "exists already; not overwriting a key" : "cannot create");
	n = write(fd, data, len);
	if (n != (ssize_t)len || fsync(fd) < 0) {
		pl_error_errno(err, path, "cannot write");
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

static int bio_to_file(BIO *bio, const char *path, mode_t mode, struct pl_error *err)
{
	char *data;
	long len = C(BIO_ctrl)(bio, BIO_CTRL_INFO, 0, &data);

	return write_new(path, data, (size_t)len, mode, err);
}

int trust_key_generate(const char *name, char id[17], struct pl_error *err)
{
	if (trust_init(err) < 0)
		return -1;

	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	if (!*base)
		return pl_error_set(err, NULL, 0, 0, "'%s': a key needs a name (NAME.key and NAME.pub are written)", name);

	struct util_buf priv = UTIL_BUF_INIT, pub = UTIL_BUF_INIT;
	EVP_PKEY *k = C(EVP_PKEY_Q_keygen)(NULL, NULL, "EC", "P-256");
	BIO *bpriv = C(BIO_new)(C(BIO_s_mem)()), *bpub = C(BIO_new)(C(BIO_s_mem)());
	int rc = -1;

	util_buf_printf(&priv, "%s.key", name);
	util_buf_printf(&pub, "%s.pub", name);
	if (!k || !bpriv || !bpub || !C(PEM_write_bio_PrivateKey)(bpriv, k, NULL, NULL, 0, NULL, NULL) ||
	    !C(PEM_write_bio_PUBKEY)(bpub, k)) {
		pl_error_set(err, NULL, 0, 0, "cannot generate a key");
		goto out;
	}
	if (access(pub.data, F_OK) == 0) {
		pl_error_set(err, pub.data, 0, 0, "exists already; not overwriting a key");
		goto out;
	}
	if (bio_to_file(bpriv, priv.data, 0600, err) < 0)
		goto out;
	if (bio_to_file(bpub, pub.data, 0644, err) < 0) {
		unlink(priv.data);
		goto out;
	}
	trust_key_id(k, id);
	rc = 0;
out:
	C(BIO_free)(bpriv);
	C(BIO_free)(bpub);
	C(EVP_PKEY_free)(k);
	util_buf_free(&priv);
	util_buf_free(&pub);
	return rc;
}

/* OpenSSL asks for an encrypted key's passphrase on the terminal when no
 * callback answers: pylock never prompts, it says the key is encrypted. */
static int no_passphrase(char *buf, int size, int rwflag, void *encrypted)
{
	*(bool *)encrypted = true;
	return -1;
}

int trust_sign_file(const char *key_path, const char *file, char id[17], struct pl_error *err)
{
	if (trust_init(err) < 0)
		return -1;

	char *keytext = NULL, *data = NULL;
	size_t keylen, len;
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *ctx = C(EVP_MD_CTX_new)();
	unsigned char sig[256];
	size_t siglen = sizeof(sig);
	struct util_buf out = UTIL_BUF_INIT, sigpath = UTIL_BUF_INIT;
	BIO *bio;
	bool encrypted = false;
	int rc = -1;

	if (util_read_file(key_path, TRUST_SIG_MAX * 4, &keytext, &keylen, err) < 0)
		goto out;
	bio = C(BIO_new_mem_buf)(keytext, (int)keylen);
	k = bio ? C(PEM_read_bio_PrivateKey)(bio, NULL, no_passphrase, &encrypted) : NULL;
	C(BIO_free)(bio);
	if (encrypted) {
		pl_error_set(err, key_path, 0, 0, "is encrypted; pylock signs with unencrypted keys only (openssl pkey "
			     "-in KEY -out PLAIN)");
		goto out;
	}
	if (!k || !trust_key_supported(k)) {
		pl_error_set(err, key_path, 0, 0, k ? "unsupported key type (ECDSA P-256 or Ed25519)" : "not a PEM private key");
		goto out;
	}
	if (util_read_file(file, ED25519_MAX_FILE, &data, &len, err) < 0)
		goto out;
	bool ed = C(EVP_PKEY_is_a)(k, "ED25519");
	if (!ctx || C(EVP_DigestSignInit)(ctx, NULL, ed ? NULL : C(EVP_sha256)(), NULL, k) != 1 ||
	    C(EVP_DigestSign)(ctx, sig, &siglen, (unsigned char *)data, len) != 1) {
		pl_error_set(err, file, 0, 0, "cannot sign");
		goto out;
	}
	if (ed)
		util_buf_add(&out, sig, siglen);
	else {
		char b64[512];
		int n = C(EVP_EncodeBlock)((unsigned char *)b64, sig, (int)siglen);
		util_buf_add(&out, b64, (size_t)n);
		util_buf_putc(&out, '\n');
	}
	util_buf_printf(&sigpath, "%s.sig", file);
	if (util_write_atomic(sigpath.data, out.data, out.len, 0644, err) < 0)
		goto out;
	trust_key_id(k, id);
	rc = 0;
out:
	C(EVP_MD_CTX_free)(ctx);
	C(EVP_PKEY_free)(k);
	free(keytext);
	free(data);
	util_buf_free(&out);
	util_buf_free(&sigpath);
	return rc;
}
