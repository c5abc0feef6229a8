// HTML mail safety: every message of the hostile corpus is opened in the
// reader; a loopback server records every request to it. Nothing may reach
// it, no script may run (no dialog, no mark on the page), and the sanitized
// document keeps none of the dangerous constructs. Two controls prove the
// observation works and that the rules are per sender and never for
// encrypted mail: a remote image from a sender the user allowed is fetched
// (one hit), the same from that sender in an encrypted mail is not.
import {test, before, after, afterEach} from 'node:test';
import assert from 'node:assert/strict';
import {launch, startPageServer, startHitServer, openMail, until, screenshot, closeAllMail} from './harness.mjs';
import {hostileCorpus} from './hostile_corpus.mjs';

let browser;
let server;
let hit;
before(async () => {
    server = await startPageServer();
    hit = await startHitServer();
    browser = await launch();
});
afterEach(closeAllMail);
after(async () => {
    await browser?.close();
    await server?.close();
    await hit?.close();
});

async function openInReader(page, uid, subject) {
    await page.click(`#message-list .message-row[data-uid="${uid}"]`);
    await page.waitForFunction((s) => document.getElementById('reader-subject').textContent === s, subject);
    const frame = await (await page.$('#reader-frame')).contentFrame();
    await frame.waitForLoadState('load');
    return page.getAttribute('#reader-frame', 'srcdoc');
}

function sanitizedBody(srcdoc) {
    return srcdoc.slice(srcdoc.indexOf('<body>'));
}

test('the hostile corpus runs no script and loads nothing', async () => {
    const corpus = hostileCorpus(hit.base);
    const trusted = {from: 'Trusted Sender <trusted@example.test>', fromAddress: 'trusted@example.test'};
    const messages = [
        ...corpus,
        Object.assign({subject: 'control: encrypted, sender allowed', html: `<p>enc</p><img src="${hit.base}/control-encrypted.png">`, encrypted: true}, trusted),
        Object.assign({subject: 'control: sender allowed', html: `<p>ok</p><img src="${hit.base}/control-allowed.png">`}, trusted)
    ];
    const m = await openMail(browser, server, {inboxSize: 10, hostile: messages, allowedSenders: ['trusted@example.test']});
    const {page} = m;
    await page.click('#folder-list [data-folder="Hostile"]');
    await page.locator('#message-list .message-row[data-uid]').first().waitFor();

    for (let i = 0; i < corpus.length; ++i) {
        const uid = i + 1;
        const {subject, html} = corpus[i];
        // Rows are newest (highest uid) first: scroll the row into view.
        await page.$eval('#message-list', (e, top) => { e.scrollTop = top; },
            (messages.length - uid) * await page.$eval('#message-list .message-row', (e) => e.getBoundingClientRect().height));
        await page.locator(`#message-list .message-row[data-uid="${uid}"]`).waitFor();
        const srcdoc = await openInReader(page, uid, subject);
        const body = sanitizedBody(srcdoc);
        assert.doesNotMatch(body, /<script|<iframe|<object|<embed|<form|<meta|<base|<link|<svg|<math|<input|<button|<video|<audio|<template/i, `${subject}: ${body}`);
        assert.doesNotMatch(body, /\son[a-z]+\s*=/i, `${subject}: an event handler survived: ${body}`);
        assert.doesNotMatch(body, /javascript:|data:text\/html/i, `${subject}: ${body}`);
        assert.doesNotMatch(body, /@import/i, `${subject}: ${body}`);
        assert.doesNotMatch(body, /\sping=|\ssrcset=|\sbackground=|\sformaction=|\saction=/i, `${subject}: ${body}`);
        if (html.includes(hit.base.slice(5))) {
            // What remains of a remote URL must be outside any src or url().
            assert.doesNotMatch(body, new RegExp(`(src|url\\()\\s*=?\\s*["']?(http:)?${hit.base.slice(5).replace(/[.]/g, '\\.')}`, 'i'), `${subject}: ${body}`);
        }
        assert.match(srcdoc, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'">/);
        assert.equal(await page.getAttribute('#reader-frame', 'sandbox'), 'allow-popups allow-popups-to-escape-sandbox', subject);
        if (subject === 'remote image') {
            assert.equal(await page.locator('#reader-remote').isVisible(), true, 'the blocked-images bar is shown');
            await screenshot(page, 'hostile-remote-image');
        }
    }

    // Control 1: the allowed sender's encrypted mail loads no remote image.
    const encrypted = messages.length - 1;
    await page.$eval('#message-list', (e) => { e.scrollTop = 0; });
    await page.locator(`#message-list .message-row[data-uid="${encrypted}"]`).waitFor();
    const encryptedDoc = await openInReader(page, encrypted, 'control: encrypted, sender allowed');
    assert.match(encryptedDoc, /img-src data:;/);
    assert.match(await page.textContent('#reader-remote'), /never loaded for encrypted mail/);
    assert.equal(await page.locator('#reader-remote-allow').isVisible(), false);

    // Control 2: the allowed sender's plain mail does load it: the hit server sees it.
    const allowed = messages.length;
    const allowedDoc = await openInReader(page, allowed, 'control: sender allowed');
    assert.match(allowedDoc, /img-src data: https: http:;/);
    await until(() => hit.hits.includes('GET /control-allowed.png'), 'the control image request', 10000);

    assert.deepEqual(hit.hits, ['GET /control-allowed.png'], 'the only request is the allowed control');
    assert.deepEqual(m.dialogs, [], 'no script opened a dialog');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.pwned), undefined, 'no script marked the page');
    assert.equal(await m.world(() => document.documentElement.dataset.pwned === undefined && globalThis.cachet.mail.__calls('send').length), 0);
    assert.deepEqual(m.errors, []);
});

test('remote images: blocked, then shown after "Always show from this sender"', async () => {
    hit.hits.length = 0;
    const messages = [{subject: 'newsletter', from: 'News <news@example.test>', fromAddress: 'news@example.test',
                       html: `<p>Hi</p><img src="${hit.base}/newsletter.png" alt="banner">`}];
    const m = await openMail(browser, server, {inboxSize: 10, hostile: messages});
    const {page} = m;
    await page.click('#folder-list [data-folder="Hostile"]');
    await page.locator('#message-list .message-row[data-uid="1"]').waitFor();
    const blocked = await openInReader(page, 1, 'newsletter');
    assert.doesNotMatch(sanitizedBody(blocked), /newsletter\.png/);
    assert.equal(await page.locator('#reader-remote').isVisible(), true);
    assert.deepEqual(hit.hits, []);
    await page.click('#reader-remote-allow');
    await until(async () => (await m.calls('allowRemoteContent')).length === 1, 'allowRemoteContent');
    assert.deepEqual((await m.calls('allowRemoteContent'))[0], {account: 'alice@example.test', sender: 'news@example.test'});
    await until(() => hit.hits.includes('GET /newsletter.png'), 'the allowed image request', 10000);
    assert.deepEqual(hit.hits, ['GET /newsletter.png']);
});
