// cachet-cloud's ACME server driven by a client we did not write: the npm
// acme-client package creates the accounts, orders email identifiers (with a
// profile), fetches the authorizations, answers email-token-00 and finalizes
// and downloads. The challenge answer is computed here from the challenge
// mail, read over IMAPS by tests/support/take_mail.py and checked with
// `openssl cms -verify`; acme-client's completeChallenge() posts {}, so the
// answer goes through its lower-level api.completeChallenge(url, payload).
// CSRs come from `openssl req`. Any failed check throws: exit status 1.
//
// Environment: ACME_DIRECTORY_URL, ACME_ADDRESS, CHALLENGE_CA_FILE (the
// S/MIME root), READ_MAIL (the reader's command line as a JSON array),
// OUT_DIR. Prints one JSON object: {"enrolments":[{name, profile, keyType,
// chainFile}]}.
import acme from 'acme-client';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const env = (name) => {
    const value = process.env[name];
    assert.ok(value, `environment variable ${name} is not set`);
    return value;
};
const directoryUrl = env('ACME_DIRECTORY_URL');
const address = env('ACME_ADDRESS');
const challengeCa = env('CHALLENGE_CA_FILE');
const readMail = JSON.parse(env('READ_MAIL'));
const outDir = env('OUT_DIR');

const b64u = (bytes) => Buffer.from(bytes).toString('base64url');
const sha256 = (text) => crypto.createHash('sha256').update(text).digest();

// RFC 7638: the required members of the public JWK, lexicographic order, no spaces.
function thumbprint(accountKeyPem) {
    const jwk = crypto.createPublicKey(accountKeyPem).export({ format: 'jwk' });
    const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
    return b64u(sha256(JSON.stringify(members)));
}

function headerOf(mail, name) {
    const head = mail.slice(0, mail.indexOf('\r\n\r\n'));
    const match = head.match(new RegExp(`^${name}: (.*)$`, 'mi'));
    return match ? match[1].replace(/\r$/, '') : null;
}

// The next challenge mail for the address, its S/MIME signature checked; token-part1.
function challengeTokenPart1(tag) {
    const mail = execFileSync(readMail[0], readMail.slice(1), { encoding: 'latin1', timeout: 60_000 });
    assert.equal(headerOf(mail, 'To'), address);
    assert.equal(headerOf(mail, 'Auto-Submitted'), 'auto-generated; type=acme');
    const mailFile = path.join(outDir, `${tag}.challenge.eml`);
    fs.writeFileSync(mailFile, mail, 'latin1');
    // Throws (non-zero exit) when the signature or the chain does not verify.
    execFileSync('openssl', ['cms', '-verify', '-in', mailFile, '-CAfile', challengeCa, '-purpose', 'smimesign',
        '-out', path.join(outDir, `${tag}.challenge.txt`)], { stdio: ['ignore', 'ignore', 'pipe'] });
    const subject = headerOf(mail, 'Subject');
    const match = /^ACME: ([A-Za-z0-9_-]{22,})$/.exec(subject);
    assert.ok(match, `challenge Subject "${subject}"`);
    return match[1];
}

function csrFor(tag, keyType, profile) {
    const keyFile = path.join(outDir, `${tag}.key.pem`);
    const csrFile = path.join(outDir, `${tag}.csr.pem`);
    const usage = profile === 'smime-signing' ? 'digitalSignature,nonRepudiation'
        : keyType === 'ec' ? 'keyAgreement' : 'keyEncipherment';
    const newKey = keyType === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
    execFileSync('openssl', ['req', '-new', ...newKey, '-nodes', '-keyout', keyFile, '-out', csrFile,
        '-subj', `/CN=${address}`, '-addext', `subjectAltName=email:${address}`,
        '-addext', `keyUsage=critical,${usage}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    return fs.readFileSync(csrFile);
}

async function enrol({ name, accountKey, keyType, profile }) {
    const client = new acme.Client({ directoryUrl, accountKey, backoffAttempts: 50, backoffMin: 50, backoffMax: 500 });
    const profiles = await client.api.http.getMetaField('profiles');
    assert.ok(profiles && profile in profiles, `directory meta.profiles lacks ${profile}`);

    const account = await client.createAccount({ termsOfServiceAgreed: true, contact: [`mailto:${address}`] });
    assert.equal(account.status, 'valid');

    const order = await client.createOrder({ identifiers: [{ type: 'email', value: address }], profile });
    assert.equal(order.status, 'pending');
    assert.deepEqual(order.identifiers, [{ type: 'email', value: address }]);

    const authorizations = await client.getAuthorizations(order);
    assert.equal(authorizations.length, 1);
    const [authz] = authorizations;
    assert.equal(authz.status, 'pending');
    assert.deepEqual(authz.identifier, { type: 'email', value: address });
    const challenge = authz.challenges.find((c) => c.type === 'email-token-00');
    assert.ok(challenge, 'no email-token-00 challenge');
    // acme-client refuses to make key authorizations for challenge types it does not know.
    await assert.rejects(client.getChallengeKeyAuthorization(challenge));

    const part1 = challengeTokenPart1(name);
    const keyAuthorization = `${part1}${challenge.token}.${thumbprint(accountKey)}`;
    const answered = await client.api.completeChallenge(challenge.url, { keyAuthDigest: b64u(sha256(keyAuthorization)) });
    assert.equal(answered.status, 200);
    assert.equal(answered.data.status, 'valid');
    const validAuthz = await client.waitForValidStatus(authz);
    assert.equal(validAuthz.status, 'valid');

    const finalized = await client.finalizeOrder(order, csrFor(name, keyType, profile));
    assert.ok(['valid', 'processing'].includes(finalized.status), `finalize left the order ${finalized.status}`);
    const chain = await client.getCertificate(finalized);
    assert.match(chain, /^-----BEGIN CERTIFICATE-----/);
    assert.ok(chain.split('-----BEGIN CERTIFICATE-----').length >= 3, 'the chain has the leaf and its issuer');
    const chainFile = path.join(outDir, `${name}.chain.pem`);
    fs.writeFileSync(chainFile, chain);
    return { name, profile, keyType, chainFile };
}

const enrolments = [];
for (const job of [
    // ES256 account, RSA signing certificate.
    { name: 'es256-rsa-signing', accountKey: await acme.crypto.createPrivateEcdsaKey('P-256'), keyType: 'rsa', profile: 'smime-signing' },
    // RS256 account, P-256 encryption certificate.
    { name: 'rs256-ec-encryption', accountKey: await acme.crypto.createPrivateRsaKey(2048), keyType: 'ec', profile: 'smime-encryption' },
]) {
    enrolments.push(await enrol(job));
}
process.stdout.write(JSON.stringify({ enrolments }) + '\n');
