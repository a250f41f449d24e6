// The reference: sigstore-js (@sigstore/verify) verifying the same
// evidence, PEP 740 attestations and provenance read as the v0.3 bundles
// they stand for. Same arguments and output as sigstore-verify.c.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const { TrustedRoot } = require('@sigstore/protobuf-specs');

function fromAttestation(a) {
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: a.verification_material.certificate },
      tlogEntries: [a.verification_material.transparency_entries[0]],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: {
      payload: a.envelope.statement,
      payloadType: 'application/vnd.in-toto+json',
      signatures: [{ sig: a.envelope.signature, keyid: '' }],
    },
  };
}

function bundlesOf(form, doc) {
  if (form === 'provenance')
    return doc.attestation_bundles.flatMap((b) => b.attestations.map(fromAttestation));
  if (form === 'attestation') return [fromAttestation(doc)];
  return [doc];
}

const n = parseInt(process.argv[2], 10);
const items = [];
for (let i = 3; i + 3 < process.argv.length + 0 && i < process.argv.length; i += 4) {
  const [root, form, evidence, artifact] = process.argv.slice(i, i + 4);
  const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(root))));
  const verifier = new Verifier(trust, { tlogThreshold: 1, ctlogThreshold: 1 });
  const bytes = fs.readFileSync(artifact);
  const bundles = bundlesOf(form, JSON.parse(fs.readFileSync(evidence))).map((b) => bundleFromJSON(b));
  items.push({ verifier, bytes, bundles, dsse: bundles[0].dsseEnvelope !== undefined });
}
let ok = 0;
const start = process.hrtime.bigint();
for (let i = 0; i < n; i++) {
  const it = items[i % items.length];
  try {
    for (const b of it.bundles)
      it.verifier.verify(toSignedEntity(b, it.dsse ? undefined : it.bytes));
    if (it.dsse) {
      // The artifact binding sigstore-js leaves to its caller: a subject's sha256.
      const st = JSON.parse(Buffer.from(it.bundles[0].dsseEnvelope.payload).toString());
      const sha = crypto.createHash('sha256').update(it.bytes).digest('hex');
      if (!st.subject.some((s) => s.digest.sha256 === sha)) throw new Error('subject');
    }
    ok++;
  } catch (e) {
    if (process.env.SIGSTORE_JS_DEBUG) console.error(e.message);
  }
}
const us = Number(process.hrtime.bigint() - start) / 1e3 / n;
console.log(`${us.toFixed(1)} ${ok}`);
