// Issuance throughput of cachet-cloud: complete ACME orders per second with
// N concurrent clients (npm acme-client), each order's email-token-00
// answered from token-part1 read straight from the database (sqlite3 CLI), so
// the figure is the server's, not a mailbox's. The challenge mail goes to an
// SMTP sink in this process. Printed with the machine's raw signing rate
// (`openssl speed rsa3072`, measured by run.sh in the same run) as the ceiling.
//
// Environment: ACME_DIRECTORY_URL, CLOUD_DB (the SQLite file), BENCH_SECONDS,
// CLIENTS, SMTP_PORT_FILE (where the sink writes its port before the server
// starts), WORK_DIR. Prints one JSON line {"orders", "seconds", "ordersPerSecond"}.
import acme from 'acme-client';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const env = (name, fallback) => process.env[name] ?? fallback;
const mode = process.argv[2];

// Enough SMTP to accept any number of messages on any number of connections.
function smtpSink() {
    const server = net.createServer((socket) => {
        let inData = false;
        let buffered = '';
        socket.write('220 sink ESMTP\r\n');
        socket.on('data', (chunk) => {
            buffered += chunk.toString('latin1');
            let end;
            while ((end = buffered.indexOf('\r\n')) >= 0) {
                const line = buffered.slice(0, end);
                buffered = buffered.slice(end + 2);
                if (inData) {
                    if (line === '.') { inData = false; socket.write('250 queued\r\n'); }
                } else if (/^DATA/i.test(line)) { inData = true; socket.write('354 go on\r\n'); }
                else if (/^QUIT/i.test(line)) { socket.end('221 bye\r\n'); }
                else if (/^EHLO/i.test(line)) { socket.write('250-sink\r\n250 8BITMIME\r\n'); }
                else socket.write('250 ok\r\n');
            }
        });
        socket.on('error', () => {});
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

if (mode === 'sink') {
    const server = await smtpSink();
    fs.writeFileSync(env('SMTP_PORT_FILE'), String(server.address().port));
    process.on('SIGTERM', () => process.exit(0));
} else {
    const directoryUrl = env('ACME_DIRECTORY_URL');
    const db = env('CLOUD_DB');
    const seconds = Number(env('BENCH_SECONDS', '10'));
    const clients = Number(env('CLIENTS', '8'));
    const work = env('WORK_DIR');

    const b64u = (bytes) => Buffer.from(bytes).toString('base64url');
    function thumbprint(accountKeyPem) {
        const jwk = crypto.createPublicKey(accountKeyPem).export({ format: 'jwk' });
        return b64u(crypto.createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest());
    }
    function tokenPart1(authzId) {
        const sql = `SELECT token_part1 FROM acme_authorizations WHERE id = '${authzId.replace(/[^A-Za-z0-9_-]/g, '')}'`;
        return execFileSync('sqlite3', ['-readonly', db, sql], { encoding: 'utf8' }).trim();
    }
    // One signing CSR per client, made by openssl with the key usage the profile wants.
    function csrFor(address, tag) {
        const key = path.join(work, `${tag}.key`);
        execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
            '-keyout', key, '-subj', `/CN=${address}`, '-addext', `subjectAltName=email:${address}`,
            '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation',
            '-out', path.join(work, `${tag}.csr`)], { stdio: 'ignore' });
        return fs.readFileSync(path.join(work, `${tag}.csr`), "utf8");  // PEM, as finalizeOrder wants
    }

    // Each order is for a new address, so each has its challenge (no validation
    // reuse); the CSRs are made before the clock starts.
    const perClient = Number(env('ORDERS_PER_CLIENT', '60'));
    const pools = Array.from({ length: clients }, (_, i) =>
        Array.from({ length: perClient }, (_, n) => {
            const address = `bench${i}-${n}@example.test`;
            return { address, csr: csrFor(address, `c${i}-${n}`) };
        }));

    async function client(index, deadline) {
        const accountKey = await acme.crypto.createPrivateEcdsaKey('P-256');
        const c = new acme.Client({ directoryUrl, accountKey });
        await c.createAccount({ termsOfServiceAgreed: true });
        const digestOf = (part1, part2) =>
            b64u(crypto.createHash('sha256').update(`${part1}${part2}.${thumbprint(accountKey)}`).digest());
        let done = 0;
        for (const { address, csr } of pools[index]) {
            if (Date.now() >= deadline) break;
            const order = await c.createOrder({ identifiers: [{ type: 'email', value: address }], profile: 'smime-signing' });
            for (const authz of await c.getAuthorizations(order)) {
                if (authz.status === 'valid') continue;
                const challenge = authz.challenges.find((ch) => ch.type === 'email-token-00');
                const part1 = tokenPart1(authz.url.split('/').pop());
                await c.api.completeChallenge(challenge.url, { keyAuthDigest: digestOf(part1, challenge.token) });
            }
            const finalized = await c.finalizeOrder(order, csr);
            if (finalized.status !== 'valid') throw new Error(`order ${finalized.url} is ${finalized.status}`);
            const pem = await c.getCertificate(finalized);
            if (!pem.includes('BEGIN CERTIFICATE')) throw new Error('no certificate');
            done += 1;
        }
        if (Date.now() < deadline) console.error(`client ${index} ran out of CSRs: raise ORDERS_PER_CLIENT`);
        return done;
    }

    const start = Date.now();
    const deadline = start + seconds * 1000;
    const counts = await Promise.all(Array.from({ length: clients }, (_, i) => client(i, deadline)));
    const elapsed = (Date.now() - start) / 1000;
    const orders = counts.reduce((a, b) => a + b, 0);
    console.log(JSON.stringify({ orders, seconds: elapsed, ordersPerSecond: orders / elapsed }));
}
