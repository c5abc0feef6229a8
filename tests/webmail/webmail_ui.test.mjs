// The webmail in Debian's chromium against the scripted bridge: first run,
// the virtualized list at 100 000 messages, keyboard, reader, compose chips,
// drafts and a failed send, search, live updates, mailto:, themes and zoom.
// Screenshots go to $CACHET_SCREENSHOTS.
import {test, before, after, afterEach} from 'node:test';
import assert from 'node:assert/strict';
import {launch, startPageServer, openMail, until, screenshot, closeAllMail} from './harness.mjs';

let browser;
let server;
before(async () => {
    server = await startPageServer();
    browser = await launch();
});
afterEach(closeAllMail);
after(async () => {
    await browser?.close();
    await server?.close();
});

const rows = (page) => page.locator('#message-list .message-row');
const loadedRows = (page) => page.locator('#message-list .message-row[data-uid]');
async function firstRows(page) {
    await loadedRows(page).first().waitFor();
}
async function uidsInView(page) {
    return page.$$eval('#message-list .message-row[data-uid]', (els) => els.map((e) => Number(e.dataset.uid)));
}

test('first run: unknown domain, wrong password and success are each shown plainly', async () => {
    const m = await openMail(browser, server, {accounts: 0});
    const {page} = m;
    await page.locator('#setup').waitFor();
    assert.equal(await page.locator('#app').isVisible(), false);
    await screenshot(page, 'setup');

    // No settings found: a plain error and the manual settings opened.
    await page.fill('#setup-address', 'zoe@unknown.test');
    await page.fill('#setup-password', 'secret');
    await page.click('#setup-submit');
    await page.waitForFunction(() => document.getElementById('setup-error').textContent.includes('could not find the server settings'));
    assert.equal(await page.locator('#setup-manual').getAttribute('open'), '');
    assert.equal((await m.calls('addAccount')).length, 0, 'no login without server settings');

    // Autoconfig result shown; the wrong password is refused plainly.
    await page.fill('#setup-address', 'alice@example.test');
    await page.fill('#setup-password', 'wrong');
    await page.click('#setup-submit');
    await page.waitForFunction(() => document.getElementById('setup-error').textContent.includes('did not accept the address or password'));
    assert.equal(await page.textContent('#setup-discovery'),
        'Found settings from your provider’s autoconfig: incoming imap.example.test:993 (TLS), outgoing smtp.example.test:465 (TLS).');
    assert.equal(await page.inputValue('#setup-imap-host'), 'imap.example.test');

    // A manual override goes to addAccount as given.
    await page.fill('#setup-password', 'right');
    await page.fill('#setup-smtp-port', '587');
    await page.selectOption('#setup-smtp-security', 'starttls');
    await page.click('#setup-submit');
    await page.locator('#folder-list [data-folder="INBOX"]').waitFor();
    const added = (await m.calls('addAccount')).at(-1);
    assert.equal(added.address, 'alice@example.test');
    assert.equal(added.password, 'right');
    assert.deepEqual(added.smtp, {host: 'smtp.example.test', port: 587, security: 'starttls'});
    assert.equal(await page.locator('#setup').isVisible(), false);
    assert.equal(await page.inputValue('#setup-password'), '', 'the password does not stay in the page');
    await m.close();
});

test('first run with no settings found: the servers typed by hand are checked and used', async () => {
    const m = await openMail(browser, server, {accounts: 0});
    const {page} = m;
    await page.fill('#setup-address', 'zoe@unknown.test');
    await page.fill('#setup-password', 'secret');
    await page.click('#setup-submit');
    await page.waitForFunction(() => document.getElementById('setup-manual').open);
    await page.fill('#setup-imap-host', 'mail.unknown.test');
    await page.fill('#setup-imap-port', '143');
    await page.selectOption('#setup-imap-security', 'starttls');
    await page.fill('#setup-smtp-host', 'mail.unknown.test');
    await page.click('#setup-submit');
    await page.waitForFunction(() => document.getElementById('setup-error').textContent.includes('outgoing server’s name and a port'));
    assert.equal((await m.calls('addAccount')).length, 0);
    await page.fill('#setup-smtp-port', '587');
    await page.selectOption('#setup-smtp-security', 'starttls');
    await page.click('#setup-submit');
    await page.locator('#folder-list [data-folder="INBOX"]').waitFor();
    const added = (await m.calls('addAccount'))[0];
    assert.deepEqual({imap: added.imap, smtp: added.smtp}, {
        imap: {host: 'mail.unknown.test', port: 143, security: 'starttls'},
        smtp: {host: 'mail.unknown.test', port: 587, security: 'starttls'}});
    await m.close();
});

test('list: 100 000 messages, the DOM holds only the rows in view; scrolling fetches slices', async () => {
    const m = await openMail(browser, server, {inboxSize: 100000});
    const {page} = m;
    await firstRows(page);
    const unread = await page.textContent('#folder-list [data-folder="INBOX"] .unread');
    assert.equal(unread, '33333', 'the fake leaves every uid divisible by 3 unread');
    const first = await rows(page).count();
    assert.ok(first > 5 && first < 60, `rows in the DOM at the top: ${first}`);
    assert.deepEqual((await uidsInView(page)).slice(0, 3), [100000, 99999, 99998], 'newest first');
    const spacer = await page.$eval('#message-list-spacer', (e) => e.getBoundingClientRect().height);
    const rowHeight = await page.$eval('#message-list .message-row', (e) => e.getBoundingClientRect().height);
    assert.ok(Math.abs(spacer - 100000 * rowHeight) < 2, 'the spacer is as tall as all rows');

    // Jump to the middle: rows for offsets near 50 000 appear, fetched as a slice.
    await page.$eval('#message-list', (e, top) => { e.scrollTop = top; }, 50000 * rowHeight);
    await page.waitForFunction(() => [...document.querySelectorAll('#message-list .message-row[data-uid]')]
        .some((e) => Number(e.dataset.uid) === 50000));
    const calls = await m.calls('messages');
    assert.ok(calls.some((c) => c.offset === 50000 && c.limit === 100), `a slice at 50000: ${JSON.stringify(calls.map((c) => c.offset))}`);
    assert.ok(calls.every((c) => c.limit <= 100), 'never more than a slice at a time');
    assert.ok(calls.length < 10, `few fetches: ${calls.length}`);
    const middle = await rows(page).count();
    assert.ok(middle < 60, `rows in the DOM in the middle: ${middle}`);

    // The end.
    await page.$eval('#message-list', (e) => { e.scrollTop = e.scrollHeight; });
    await page.waitForFunction(() => !!document.querySelector('#message-list .message-row[data-uid="1"]'));
    assert.ok(await rows(page).count() < 60);
    await m.close();
});

test('keyboard: j/k, Shift+j, Enter, s, Delete; Ctrl and Shift clicks select', async () => {
    const m = await openMail(browser, server, {inboxSize: 500});
    const {page} = m;
    await firstRows(page);
    await page.focus('#message-list');
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('ArrowDown');
    // From no cursor: j → row 0, j → 1, k → 0, ↓ → 1.
    await page.waitForFunction(() => document.querySelector('#message-list .message-row.cursor')?.dataset.uid === '499');
    assert.equal(await page.getAttribute('#message-list', 'aria-activedescendant'), 'message-row-1');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('reader-subject').textContent === 'Message 499');
    assert.deepEqual((await m.calls('message')).at(-1), {account: 'alice@example.test', folder: 'INBOX', uid: 499});

    // Shift+j twice: three selected; s stars all three; Delete removes them.
    await page.focus('#message-list');
    await page.keyboard.press('Shift+J');
    await page.keyboard.press('Shift+ArrowDown');
    await page.waitForFunction(() => document.querySelectorAll('#message-list .message-row[aria-selected="true"]').length === 3);
    await page.keyboard.press('s');
    await until(async () => (await m.calls('setFlags')).length === 1, 'setFlags');
    await page.waitForFunction(() => document.querySelectorAll('#message-list .message-row[aria-selected="true"] .star[aria-pressed="true"]').length === 3);
    const flag = (await m.calls('setFlags'))[0];
    assert.deepEqual({uids: flag.uids.sort(), flag: flag.flag, set: flag.set}, {uids: [497, 498, 499], flag: '\\Flagged', set: true});
    await page.keyboard.press('Delete');
    await until(async () => (await m.calls('remove')).length === 1, 'remove');
    assert.deepEqual((await m.calls('remove'))[0].uids.sort(), [497, 498, 499]);
    await page.waitForFunction(() => !document.querySelector('#message-list .message-row[data-uid="498"]'));
    assert.equal(await page.locator('#reader').isVisible(), false, 'the reader closes when its message is deleted');

    // Ctrl+click adds, Shift+click extends from the anchor.
    await page.click('#message-list .message-row[data-uid="500"]');
    await page.click('#message-list .message-row[data-uid="495"]', {modifiers: ['Control']});
    await page.waitForFunction(() => document.querySelectorAll('#message-list .message-row[aria-selected="true"]').length === 2);
    // The list is now 500, 496, 495, 494, 493, 492…: the range is 495…492.
    await page.click('#message-list .message-row[data-uid="492"]', {modifiers: ['Shift']});
    await page.waitForFunction(() => document.querySelectorAll('#message-list .message-row[aria-selected="true"]').length === 4);
    // e archives the selection (495, 494, 493, 492).
    await page.keyboard.press('e');
    await until(async () => (await m.calls('archive')).length === 1, 'archive');
    assert.deepEqual((await m.calls('archive'))[0].uids.sort(), [492, 493, 494, 495]);
    assert.deepEqual(m.errors, []);
    await m.close();
});

test('reader: headers, security panel, attachments open/save, plain text, reply quoting', async () => {
    const m = await openMail(browser, server, {inboxSize: 1000});
    const {page} = m;
    await firstRows(page);
    // uid 980: from Bob (980 % 5 == 0), attachments (% 7), encrypted (% 5), Cc (% 4).
    await page.$eval('#message-list', (e) => { e.scrollTop = 20 * e.querySelector('.message-row').getBoundingClientRect().height; });
    await page.click('#message-list .message-row[data-uid="980"]');
    await page.waitForFunction(() => document.getElementById('reader-subject').textContent === 'Message 980');
    assert.match(await page.textContent('#reader-from'), /Bob Example <bob@example.test>/);
    assert.match(await page.textContent('#reader-cc'), /erin@example.test/);
    const security = await page.textContent('#security-panel');
    assert.match(security, /Encrypted to you \(AES-256-GCM\)/);
    assert.match(security, /Signature valid — bob@example.test/);
    assert.match(security, /Timestamped .* by CN=Cachet TSA/);
    assert.equal(await page.getAttribute('#security-panel', 'data-signature'), 'valid');
    assert.deepEqual(await page.$$eval('#reader-attachments li', (els) => els.map((e) => e.dataset.index)), ['0', '1']);
    await page.click('#reader-attachments [data-index="0"] button.open');
    await page.click('#reader-attachments [data-index="1"] button.save');
    await until(async () => (await m.calls('openAttachment')).length && (await m.calls('saveAttachment')).length, 'attachment calls');
    assert.deepEqual((await m.calls('openAttachment'))[0], {account: 'alice@example.test', folder: 'INBOX', uid: 980, index: 0});
    assert.deepEqual((await m.calls('saveAttachment'))[0], {account: 'alice@example.test', folder: 'INBOX', uid: 980, index: 1});

    // The body is in the sandboxed frame, sanitized, with the strict policy.
    const frame = page.locator('#reader-frame');
    assert.equal(await frame.getAttribute('sandbox'), 'allow-popups allow-popups-to-escape-sandbox');
    const srcdoc = await frame.getAttribute('srcdoc');
    assert.match(srcdoc, /default-src 'none'; style-src 'unsafe-inline'; img-src data:;/);
    assert.match(srcdoc, /<base target="_blank">/);
    assert.match(srcdoc, /<b>message 980<\/b>/);
    const body = page.frameLocator('#reader-frame').locator('body');
    assert.match(await body.textContent(), /This is message 980/);
    await screenshot(page, 'reader');
    await page.click('#reader-view-toggle');
    assert.equal(await page.getAttribute('#reader-view-toggle', 'aria-pressed'), 'true');
    assert.match(await frame.getAttribute('srcdoc'), /<pre class="plain">Hello Alice,\n\nThis is message 980.\n<\/pre>/);

    // r: reply to the sender, quoted, threaded.
    await page.focus('#message-list');
    await page.keyboard.press('r');
    await page.locator('#compose').waitFor();
    assert.equal(await page.inputValue('#compose-subject'), 'Re: Message 980');
    assert.deepEqual(await page.$$eval('#compose-to-chips .chip', (els) => els.map((e) => e.dataset.address)), ['bob@example.test']);
    assert.match(await page.textContent('#compose-body'), /wrote:\n> Hello Alice,\n> \n> This is message 980\./);
    await page.click('#compose-discard');
    await page.click('#compose-discard');
    // f: forward, the original below a header block, no recipients yet.
    await page.focus('#message-list');
    await page.keyboard.press('f');
    await page.locator('#compose').waitFor();
    assert.equal(await page.inputValue('#compose-subject'), 'Fwd: Message 980');
    assert.match(await page.textContent('#compose-body'), /---------- Forwarded message ----------\nFrom: Bob Example <bob@example.test>\n/);
    assert.equal(await page.locator('#compose .chip').count(), 0);
    await page.click('#compose-discard');
    await page.click('#compose-discard');
    // a: reply all keeps Erin in Cc, leaves me out.
    await page.focus('#message-list');
    await page.keyboard.press('a');
    await page.locator('#compose').waitFor();
    assert.deepEqual(await page.$$eval('#compose-cc-chips .chip', (els) => els.map((e) => e.dataset.address)), ['erin@example.test']);
    assert.deepEqual(await page.$$eval('#compose-to-chips .chip', (els) => els.map((e) => e.dataset.address)), ['bob@example.test']);
    await m.close();
});

test('compose: chips with autocomplete and key status, draft autosave, a failed send kept and retried', async () => {
    const m = await openMail(browser, server, {inboxSize: 50});
    const {page} = m;
    await firstRows(page);
    await page.focus('#message-list');
    await page.keyboard.press('c');
    await page.locator('#compose-to').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'compose-to');

    // Autocomplete from contacts(): "bo" → Bob and Bobby; pick the first.
    await page.type('#compose-to', 'bo');
    await page.locator('#compose-suggestions li').nth(1).waitFor();
    assert.deepEqual(await page.$$eval('#compose-suggestions li', (els) => els.map((e) => e.dataset.address)),
        ['bob@example.test', 'bobby@plain.test']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.type('#compose-to', 'carol@plain.test,');
    await page.type('#compose-cc', 'not-an-address');
    await page.keyboard.press('Enter');
    const chip = (address) => page.locator(`.chip[data-address="${address}"]`);
    await page.waitForFunction(() => document.querySelectorAll('#compose .chip').length === 3, null, {timeout: 5000}).catch(async () => {
        assert.fail(`chips: ${await page.$$eval('#compose .chip', (els) => els.map((e) => e.dataset.address))}, focus: ${await page.evaluate(() => document.activeElement.id)}`);
    });
    await page.waitForFunction(() => document.querySelector('.chip[data-address="bob@example.test"] .key-status')?.textContent.includes('will be encrypted'));
    // Statuses come from debounced recipientStatus() calls: wait for Carol's too.
    await page.waitForFunction(() => document.querySelector('.chip[data-address="carol@plain.test"] .key-status')?.textContent.includes('not encrypted'));
    assert.match(await chip('carol@plain.test').locator('.key-status').textContent(), /not encrypted: no certificate/);
    assert.match(await chip('not-an-address').textContent(), /not a valid address/);
    await page.waitForFunction(() => document.getElementById('compose-encryption').textContent.includes('carol@plain.test'));
    assert.match(await page.textContent('#compose-encryption'), /signed but not encrypted: no certificate for carol@plain.test/);
    // Sending with an invalid address is refused in the page.
    await page.click('#compose-send');
    assert.match(await page.textContent('#compose-status'), /Not a valid address: not-an-address/);
    await chip('not-an-address').locator('button.remove').click();

    await page.fill('#compose-subject', 'Plans FAIL');
    await page.click('#compose-body');
    await page.keyboard.type('Hello Bob,\nsee you Monday.');
    await until(async () => (await m.calls('saveDraft')).length > 0, 'a draft autosave');
    const saved = (await m.calls('saveDraft')).at(-1);
    assert.deepEqual(saved.to, ['bob@example.test', 'carol@plain.test']);
    await page.waitForFunction(() => document.getElementById('compose-status').textContent.startsWith('Draft saved'));
    await screenshot(page, 'compose');

    // The server is down for the first send: the error is plain, the message
    // stays, Retry sends it.
    await m.world(() => globalThis.cachet.mail.__setFailures('send', ['unreachable']));
    await page.click('#compose-send');
    await page.waitForFunction(() => document.getElementById('compose-status').textContent.includes('cannot be reached'));
    assert.equal(await page.locator('#compose').isVisible(), true);
    assert.equal(await page.inputValue('#compose-subject'), 'Plans FAIL');
    assert.match(await page.textContent('#status-bar'), /The message was not sent: The mail server cannot be reached/);
    await page.click('#status-retry');
    await page.waitForFunction(() => document.getElementById('compose').hidden);
    const sends = await m.calls('send');
    assert.equal(sends.length, 2);
    const sent = sends[1];
    assert.deepEqual(sent.to, ['bob@example.test', 'carol@plain.test']);
    assert.equal(sent.subject, 'Plans FAIL');
    assert.equal(sent.text, 'Hello Bob,\nsee you Monday.');
    assert.equal(sent.draftId, 'draft-1', 'the send names the saved draft, which the service keeps until accepted');
    assert.match(await page.textContent('#status-text'), /Message sent \(signed, timestamped\)/);
    await m.close();
});

test('compose: attachments by picker and by drop go to send() as base64; rich text gives html', async () => {
    const m = await openMail(browser, server, {inboxSize: 10});
    const {page} = m;
    await firstRows(page);
    await page.click('#compose-button');
    await page.type('#compose-to', 'dave@secure.test');
    await page.keyboard.press('Enter');
    await page.fill('#compose-subject', 'Files');
    await page.setInputFiles('#compose-file', {name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('hello world')});
    // Drop a file onto the compose pane.
    const transfer = await page.evaluateHandle(() => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array([0x25, 0x50, 0x44, 0x46])], 'dropped.pdf', {type: 'application/pdf'}));
        return dt;
    });
    await page.dispatchEvent('#compose-body', 'dragenter', {dataTransfer: transfer});
    assert.equal(await page.locator('#compose-drop').isVisible(), true);
    await page.dispatchEvent('#compose-body', 'drop', {dataTransfer: transfer});
    await page.locator('#compose-attachments li').nth(1).waitFor();
    await page.click('#compose-rich');
    await page.click('#compose-body');
    await page.keyboard.press('Control+b');
    await page.keyboard.type('bold words');
    await page.click('#compose-send');
    await until(async () => (await m.calls('send')).length === 1, 'send');
    const sent = (await m.calls('send'))[0];
    assert.deepEqual(sent.attachments, [
        {filename: 'hello.txt', mimeType: 'text/plain', base64: Buffer.from('hello world').toString('base64')},
        {filename: 'dropped.pdf', mimeType: 'application/pdf', base64: 'JVBERg=='}]);
    assert.match(sent.html, /<b>bold words<\/b>/);
    assert.equal(sent.text, 'bold words');
    await m.close();
});

test('closing compose keeps the draft; a draft that cannot be saved keeps compose open', async () => {
    const m = await openMail(browser, server, {inboxSize: 10});
    const {page} = m;
    await firstRows(page);
    await page.click('#compose-button');
    await page.fill('#compose-subject', 'Unfinished');
    await m.world(() => globalThis.cachet.mail.__failAlways('saveDraft', 'unreachable'));
    await page.click('#compose-close');
    await page.waitForFunction(() => document.getElementById('compose-status').textContent.includes('could not be saved'));
    assert.equal(await page.locator('#compose').isVisible(), true, 'not closed: the draft would be lost');
    assert.equal(await page.inputValue('#compose-subject'), 'Unfinished');
    await m.world(() => globalThis.cachet.mail.__failAlways('saveDraft', null));
    await page.click('#compose-close');
    await page.waitForFunction(() => document.getElementById('compose').hidden);
    const drafts = await m.calls('saveDraft');
    assert.ok(drafts.length >= 2);
    assert.equal(drafts.at(-1).subject, 'Unfinished');
    await m.close();
});

test('a local draft not sent yet is offered and reopens with its fields', async () => {
    const draft = {draftId: 'local-7', to: ['bob@example.test'], cc: [], bcc: [], subject: 'Half written', text: 'Dear Bob,', attachments: [],
                   html: '<p>Dear <b>Bob</b>,</p><style>#app{display:none}</style><img src="x" onerror="alert(1)">'};
    const m = await openMail(browser, server, {inboxSize: 10, localDrafts: [draft]});
    const {page} = m;
    await page.waitForFunction(() => document.getElementById('status-text').textContent.includes('not sent yet'));
    await page.click('#status-action');
    await page.locator('#compose').waitFor();
    assert.equal(await page.inputValue('#compose-subject'), 'Half written');
    assert.equal(await page.textContent('#compose-body'), 'Dear Bob,');
    // Rich drafts come back sanitized, without style sheets (they would restyle the page).
    const body = await page.innerHTML('#compose-body');
    assert.match(body, /<b>Bob<\/b>/);
    assert.doesNotMatch(body, /<style|onerror/);
    assert.equal(await page.locator('#app').isVisible(), true);
    assert.equal(await page.getAttribute('#compose-rich', 'aria-pressed'), 'true');
    await page.click('#compose-send');
    await until(async () => (await m.calls('send')).length === 1, 'send');
    assert.equal((await m.calls('send'))[0].draftId, 'local-7', 'sending names the draft, so the service can drop it once accepted');
    await m.close();
});

test('search: / focuses the box; results open in the reader', async () => {
    const m = await openMail(browser, server, {inboxSize: 100000});
    const {page} = m;
    await firstRows(page);
    await page.focus('#message-list');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input');
    await page.keyboard.type('quarterly report 42');
    await page.keyboard.press('Enter');
    await page.locator('#search-results .search-row').first().waitFor();
    assert.deepEqual(await page.$$eval('#search-results .search-row', (els) => els.map((e) => e.dataset.uid)), ['42000']);
    assert.equal((await m.calls('search')).at(-1).words, 'quarterly report 42');
    // Arrow down from the box to the result, Enter opens it.
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.uid), '42000');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('reader-subject').textContent === 'Quarterly report 42');
    await page.focus('#search-input');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#search-results-pane').isVisible(), false);
    await m.close();
});

test('live update: new mail (folderChanged) appears at the top without a reload', async () => {
    const m = await openMail(browser, server, {inboxSize: 1000});
    const {page} = m;
    await firstRows(page);
    const before = Number(await page.textContent('#folder-list [data-folder="INBOX"] .unread'));
    await m.world(() => globalThis.cachet.mail.__deliver(2));
    await page.waitForFunction(() => document.querySelector('#message-list .message-row[data-uid="1002"] .subject')?.textContent === 'New mail 2');
    assert.deepEqual((await uidsInView(page)).slice(0, 3), [1002, 1001, 1000]);
    await page.waitForFunction((n) => Number(document.querySelector('#folder-list [data-folder="INBOX"] .unread').textContent) === n, before + 2);
    // The spacer grew with the folder.
    const rowHeight = await page.$eval('#message-list .message-row', (e) => e.getBoundingClientRect().height);
    assert.ok(Math.abs(await page.$eval('#message-list-spacer', (e) => e.getBoundingClientRect().height) - 1002 * rowHeight) < 2);
    await m.close();
});

test('Move to…, and events: accountStatus error with Retry, security phase', async () => {
    const m = await openMail(browser, server, {inboxSize: 20});
    const {page} = m;
    await firstRows(page);
    await page.click('#message-list .message-row[data-uid="18"]');
    await page.selectOption('#action-move', 'Archive');
    await until(async () => (await m.calls('move')).length === 1, 'move');
    assert.deepEqual((await m.calls('move'))[0], {account: 'alice@example.test', folder: 'INBOX', uids: [18], destination: 'Archive'});
    await page.waitForFunction(() => !document.querySelector('#message-list .message-row[data-uid="18"]'));

    await m.world(() => globalThis.cachet.mail.__emit({type: 'accountStatus', account: 'alice@example.test',
                                                        status: {sync: 'error', error: 'the server refused the login'}}));
    await page.waitForFunction(() => document.getElementById('status-text').textContent.includes('the server refused the login'));
    assert.match(await page.textContent('#account-status'), /Problem: the server refused the login/);
    assert.equal(await page.getAttribute('#status-bar', 'class'), 'status-bar error');
    const syncsBefore = (await m.calls('sync')).length;
    await page.click('#status-retry');
    await until(async () => (await m.calls('sync')).length === syncsBefore + 1, 'sync after Retry');

    await m.world(() => globalThis.cachet.mail.__emit({type: 'security', account: 'alice@example.test', state: {phase: 'enrolling', detail: 'waiting for the challenge mail'}}));
    await page.waitForFunction(() => document.getElementById('account-security').textContent.includes('Getting your encryption certificates'));
    assert.match(await page.textContent('#account-security'), /waiting for the challenge mail/);
    // Strict recovery on a new device: the key is asked for once, and goes to provideRecoveryKey.
    await m.world(() => globalThis.cachet.mail.__emit({type: 'security', account: 'alice@example.test', state: {phase: 'needs-recovery-key'}}));
    await page.locator('#recovery-key').waitFor();
    await page.fill('#recovery-key', 'ABCD-EFGH-IJKL');
    await page.keyboard.press('Enter');
    await until(async () => (await m.calls('provideRecoveryKey')).length === 1, 'provideRecoveryKey');
    assert.deepEqual((await m.calls('provideRecoveryKey'))[0], {account: 'alice@example.test', recoveryKey: 'ABCD-EFGH-IJKL'});
    await page.waitForFunction(() => document.getElementById('recovery-key').value === '');  // the key does not stay in the page
    await m.close();
});

test('mailto: prefills compose (RFC 6068)', async () => {
    const link = 'mailto:bob@example.test,erin@example.test?cc=carol@plain.test&subject=Lunch%3F&body=Noon%20at%20the%20usual%0D%0Aplace';
    const m = await openMail(browser, server, {inboxSize: 10}, {query: `?mailto=${encodeURIComponent(link)}`});
    const {page} = m;
    await page.locator('#compose').waitFor();
    assert.deepEqual(await page.$$eval('#compose-to-chips .chip', (els) => els.map((e) => e.dataset.address)), ['bob@example.test', 'erin@example.test']);
    assert.deepEqual(await page.$$eval('#compose-cc-chips .chip', (els) => els.map((e) => e.dataset.address)), ['carol@plain.test']);
    assert.equal(await page.inputValue('#compose-subject'), 'Lunch?');
    assert.equal(await page.textContent('#compose-body'), 'Noon at the usual\nplace');
    await m.close();
});

// Every visible control has an accessible name (label, aria-label, text).
async function unnamedControls(page) {
    return page.evaluate(() => {
        const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
        const nameOf = (e) => {
            if (e.getAttribute('aria-label')) return e.getAttribute('aria-label');
            if (e.getAttribute('aria-labelledby')) return e.getAttribute('aria-labelledby').split(' ').map((id) => document.getElementById(id)?.textContent || '').join(' ');
            if (e.labels && e.labels.length) return [...e.labels].map((l) => l.textContent).join(' ');
            return e.textContent || e.title || '';
        };
        return [...document.querySelectorAll('button, input, select, textarea, [role="textbox"], [role="listbox"], iframe')]
            .filter(visible).filter((e) => !(e.tagName === 'IFRAME' ? e.title : nameOf(e)).trim()).map((e) => e.outerHTML.slice(0, 80));
    });
}

test('themes, 200% zoom and accessible names', async () => {
    const light = await openMail(browser, server, {inboxSize: 1000});
    await firstRows(light.page);
    await light.page.click('#message-list .message-row[data-uid="994"]');
    await light.page.waitForFunction(() => document.getElementById('reader-subject').textContent === 'Message 994');
    assert.deepEqual(await unnamedControls(light.page), []);
    const lightBg = await light.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await screenshot(light.page, 'light');
    await light.page.click('#compose-button');
    assert.deepEqual(await unnamedControls(light.page), []);
    await light.close();

    const dark = await openMail(browser, server, {inboxSize: 1000}, {colorScheme: 'dark'});
    await firstRows(dark.page);
    await dark.page.click('#message-list .message-row[data-uid="994"]');
    await dark.page.waitForFunction(() => document.getElementById('reader-subject').textContent === 'Message 994');
    const darkBg = await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(lightBg, 'rgb(255, 255, 255)');
    assert.equal(darkBg, 'rgb(23, 25, 29)');
    await screenshot(dark.page, 'dark');
    await dark.close();

    // 1280×800 at 200%: a 640×400 CSS viewport at twice the pixels.
    const zoom = await openMail(browser, server, {inboxSize: 1000}, {viewport: {width: 640, height: 400}, deviceScaleFactor: 2});
    const {page} = zoom;
    await firstRows(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling at 200%: ${overflow}px`);
    for (const id of ['search-input', 'compose-button', 'message-list', 'folders-toggle', 'status-bar']) {
        const box = await page.locator(`#${id}`).boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 641 && box.y >= 0 && box.y + box.height <= 401, `#${id} on screen: ${JSON.stringify(box)}`);
    }
    await screenshot(page, 'zoom200-list');
    await page.click('#message-list .message-row[data-uid="994"]');
    await page.locator('#reader-subject').waitFor();
    assert.equal(await page.locator('#message-list').isVisible(), false, 'one pane at a time when narrow');
    await screenshot(page, 'zoom200-reader');
    await page.click('#reader-back');
    await page.click('#folders-toggle');
    await page.locator('#folder-list [data-folder="Sent"]').waitFor();
    await screenshot(page, 'zoom200-folders');
    await page.click('#folder-list [data-folder="Sent"]');
    assert.equal(await page.textContent('#list-title'), 'Sent');
    await page.click('#compose-button');
    const send = await page.locator('#compose-send').boundingBox();
    assert.ok(send && send.y + send.height <= 401, `Send reachable at 200%: ${JSON.stringify(send)}`);
    assert.deepEqual(await unnamedControls(page), []);
    await screenshot(page, 'zoom200-compose');
    await zoom.close();
});
