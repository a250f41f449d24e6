#!/usr/bin/env python3
"""A Sigstore world of its own, for tests and benchmarks: a trusted root
(a Fulcio CA: root and intermediate; a Rekor log key; a CT log key), and
for N files signed in it PEP 740 attestations (GitHub identities) and
Sigstore bundles signed by a managed key, every entry in one Merkle tree
with its inclusion proof, signed checkpoint and signed entry timestamp.

usage: make-sigstore.py OUTDIR N
writes OUTDIR/root.json, OUTDIR/dist/pkgI-1.0-py3-none-any.whl and
.publish.attestation (I < N), OUTDIR/keyed/keyedI-1.0-py3-none-any.whl and
.sigstore.json (managed-key bundles, hashedrekord), OUTDIR/keyed/key.pub.
"""
import base64
import datetime
import hashlib
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

b64 = lambda b: base64.b64encode(b).decode()
T0 = 1733350000  # when everything was signed (December 2024)
UTC = datetime.timezone.utc


def der_utf8(s):
    b = s.encode()
    assert len(b) < 128
    return bytes([0x0C, len(b)]) + b


def spki(key):
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def canon(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def sign(key, data):
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def mth(leaves):
    """RFC 6962 Merkle tree hash of leaf hashes."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m, leaves):
    """RFC 6962 audit path of leaf m, leaf first."""
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


class World:
    def __init__(self):
        self.root_key = ec.generate_private_key(ec.SECP384R1())
        self.ca_key = ec.generate_private_key(ec.SECP384R1())
        self.rekor_key = ec.generate_private_key(ec.SECP256R1())
        self.ct_key = ec.generate_private_key(ec.SECP256R1())
        self.rekor_id = hashlib.sha256(spki(self.rekor_key)).digest()
        self.ct_id = hashlib.sha256(spki(self.ct_key)).digest()
        start = datetime.datetime(2021, 1, 1, tzinfo=UTC)
        end = datetime.datetime(2031, 1, 1, tzinfo=UTC)
        name = lambda cn: x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "pylock.test"),
                                     x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        self.root = (x509.CertificateBuilder().subject_name(name("root")).issuer_name(name("root"))
                     .public_key(self.root_key.public_key()).serial_number(1).not_valid_before(start)
                     .not_valid_after(end)
                     .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
                     .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.root_key.public_key()), critical=False)
                     .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
                     .sign(self.root_key, hashes.SHA384()))
        self.ca = (x509.CertificateBuilder().subject_name(name("intermediate")).issuer_name(name("root"))
                   .public_key(self.ca_key.public_key()).serial_number(2).not_valid_before(start)
                   .not_valid_after(end)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.ca_key.public_key()), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root_key.public_key()), critical=False)
                   .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
                   .sign(self.root_key, hashes.SHA384()))
        self.entries = []  # (body, integrated time)

    def trusted_root(self):
        key = lambda k, i, start: {"rawBytes": b64(spki(k)), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                                   "validFor": {"start": start}}
        der = lambda c: {"rawBytes": b64(c.public_bytes(serialization.Encoding.DER))}
        return {
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [{"baseUrl": "https://rekor.pylock.test", "hashAlgorithm": "SHA2_256",
                       "publicKey": key(self.rekor_key, self.rekor_id, "2021-01-01T00:00:00Z"),
                       "logId": {"keyId": b64(self.rekor_id)}}],
            "certificateAuthorities": [{"subject": {"organization": "pylock.test", "commonName": "root"},
                                        "uri": "https://fulcio.pylock.test",
                                        "certChain": {"certificates": [der(self.ca), der(self.root)]},
                                        "validFor": {"start": "2021-01-01T00:00:00Z"}}],
            "ctlogs": [{"baseUrl": "https://ct.pylock.test", "hashAlgorithm": "SHA2_256",
                        "publicKey": key(self.ct_key, self.ct_id, "2021-01-01T00:00:00Z"),
                        "logId": {"keyId": b64(self.ct_id)}}],
            "timestampAuthorities": [],
        }

    def leaf(self, key, repo, when):
        """A Fulcio-shaped certificate for a GitHub workflow of repo, with
        an SCT from the CT log over its precertificate."""
        uri = f"https://github.com/{repo}/.github/workflows/release.yml@refs/tags/v1.0"
        fulcio = lambda n: x509.ObjectIdentifier(f"1.3.6.1.4.1.57264.1.{n}")
        b = (x509.CertificateBuilder().subject_name(x509.Name([])).issuer_name(self.ca.subject)
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(datetime.datetime.fromtimestamp(when, UTC))
             .not_valid_after(datetime.datetime.fromtimestamp(when + 600, UTC))
             .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
             .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()), critical=False)
             .add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(uri)]), critical=True)
             .add_extension(x509.UnrecognizedExtension(fulcio(8), der_utf8("https://token.actions.githubusercontent.com")), critical=False)
             .add_extension(x509.UnrecognizedExtension(fulcio(12), der_utf8(f"https://github.com/{repo}")), critical=False)
             .add_extension(x509.UnrecognizedExtension(fulcio(13), der_utf8("0" * 40)), critical=False)
             .add_extension(x509.UnrecognizedExtension(fulcio(14), der_utf8("refs/tags/v1.0")), critical=False)
             .add_extension(x509.UnrecognizedExtension(fulcio(18), der_utf8(uri)), critical=False))
        pre = b.sign(self.ca_key, hashes.SHA384())
        tbs = pre.tbs_certificate_bytes
        ts = (when + 1) * 1000
        issuer_hash = hashlib.sha256(spki(self.ca_key)).digest()
        signed = (b"\x00\x00" + ts.to_bytes(8, "big") + b"\x00\x01" + issuer_hash +
                  len(tbs).to_bytes(3, "big") + tbs + b"\x00\x00")
        sig = sign(self.ct_key, signed)
        sct = (b"\x00" + self.ct_id + ts.to_bytes(8, "big") + b"\x00\x00" + b"\x04\x03" +
               len(sig).to_bytes(2, "big") + sig)
        lst = len(sct).to_bytes(2, "big") + sct
        lst = len(lst).to_bytes(2, "big") + lst
        octet = b"\x04" + (bytes([len(lst)]) if len(lst) < 128 else bytes([0x81, len(lst)]))
        b = b.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2"), octet + lst),
                            critical=False)
        return b.sign(self.ca_key, hashes.SHA384())

    def log(self, body, when):
        self.entries.append((body, when))
        return len(self.entries) - 1

    def entry(self, i, kind):
        """Rekor's JSON for entry i, proved in the tree of every entry."""
        leaves = [hashlib.sha256(b"\x00" + body).digest() for body, _ in self.entries]
        root = mth(leaves)
        size = len(leaves)
        body, when = self.entries[i]
        index = 1000000 + i
        set_ = sign(self.rekor_key, canon({"body": b64(body), "integratedTime": when,
                                           "logID": self.rekor_id.hex(), "logIndex": index}))
        note = f"rekor.pylock.test - 1\n{size}\n{b64(root)}\n".encode()
        line = "\u2014 rekor.pylock.test " + b64(self.rekor_id[:4] + sign(self.rekor_key, note)) + "\n"
        return {
            "logIndex": str(index), "logId": {"keyId": b64(self.rekor_id)},
            "kindVersion": {"kind": kind, "version": "0.0.1"}, "integratedTime": str(when),
            "inclusionPromise": {"signedEntryTimestamp": b64(set_)},
            "inclusionProof": {"logIndex": str(i), "rootHash": b64(root), "treeSize": str(size),
                               "hashes": [b64(h) for h in path(i, leaves)],
                               "checkpoint": {"envelope": note.decode() + "\n" + line}},
            "canonicalizedBody": b64(body),
        }


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(f"{out}/dist", exist_ok=True)
    os.makedirs(f"{out}/keyed", exist_ok=True)
    w = World()
    atts = []
    for i in range(n):
        name = f"pkg{i}-1.0-py3-none-any.whl"
        data = os.urandom(2048)
        with open(f"{out}/dist/{name}", "wb") as f:
            f.write(data)
        stmt = canon({"_type": "https://in-toto.io/Statement/v1",
                      "subject": [{"name": name, "digest": {"sha256": hashlib.sha256(data).hexdigest()}}],
                      "predicateType": "https://docs.pypi.org/attestations/publish/v1", "predicate": None})
        key = ec.generate_private_key(ec.SECP256R1())
        when = T0 + 10 * i
        cert = w.leaf(key, f"example/pkg{i}", when)
        pae = b"DSSEv1 %d application/vnd.in-toto+json %d " % (len("application/vnd.in-toto+json"), len(stmt)) + stmt
        sig = sign(key, pae)
        body = canon({"apiVersion": "0.0.1", "kind": "dsse", "spec": {
            "envelopeHash": {"algorithm": "sha256", "value": hashlib.sha256(stmt).hexdigest()},
            "payloadHash": {"algorithm": "sha256", "value": hashlib.sha256(stmt).hexdigest()},
            "signatures": [{"signature": b64(sig), "verifier": b64(pem(cert))}]}})
        atts.append((name, cert, stmt, sig, w.log(body, when + 60)))
    managed = ec.generate_private_key(ec.SECP256R1())
    pub = managed.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with open(f"{out}/keyed/key.pub", "wb") as f:
        f.write(pub)
    keyed = []
    for i in range(max(1, n // 10)):
        data = os.urandom(1024)
        digest = hashlib.sha256(data).digest()
        sig = managed.sign(data, ec.ECDSA(hashes.SHA256()))
        body = canon({"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": digest.hex()}},
            "signature": {"content": b64(sig), "publicKey": {"content": b64(pub)}}}})
        keyed.append((f"keyed{i}-1.0-py3-none-any.whl", data, digest, sig, w.log(body, T0 + 5000 + i)))
    for name, cert, stmt, sig, idx in atts:
        att = {"version": 1,
               "verification_material": {"certificate": b64(cert.public_bytes(serialization.Encoding.DER)),
                                         "transparency_entries": [w.entry(idx, "dsse")]},
               "envelope": {"statement": b64(stmt), "signature": b64(sig)}}
        with open(f"{out}/dist/{name}.publish.attestation", "w") as f:
            json.dump(att, f)
    for name, data, digest, sig, idx in keyed:
        with open(f"{out}/keyed/{name}", "wb") as f:
            f.write(data)
        bundle = {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
                  "verificationMaterial": {"publicKey": {"hint": ""}, "tlogEntries": [w.entry(idx, "hashedrekord")]},
                  "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": b64(digest)},
                                       "signature": b64(sig)}}
        with open(f"{out}/keyed/{name}.sigstore.json", "w") as f:
            json.dump(bundle, f)
    with open(f"{out}/root.json", "w") as f:
        json.dump(w.trusted_root(), f, indent=1)


main()
