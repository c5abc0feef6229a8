// The reader: headers, the security panel (issue 6), attachments, and the
// body in the sandboxed frame (HTML sanitized, or the plain-text view).
(function (W) {
    'use strict';
    let current = null;      // the open message (message() answer + account)
    let plain = false;       // plain-text view
    let openSeq = 0;

    function yesNo(ok, text, cls) {
        const kind = cls || (ok ? 'ok' : 'bad');
        return W.el('li', {class: kind}, kind === 'ok' ? W.icon('check') : kind === 'bad' ? W.icon('warn') : null, text);
    }

    const signatureText = {
        valid: 'Signature valid', invalid: 'Signature INVALID: the message was changed after signing',
        untrusted: 'Signed by an unknown or untrusted signer', expired: 'Signer’s certificate has expired',
        revoked: 'Signer’s certificate was revoked', error: 'The signature could not be checked'
    };

    function formatTime(seconds) { const d = W.toDate(seconds); return d ? d.toLocaleString() : ''; }

    // SecurityReport (bridge/secure/mail_protection.h) as a few plain lines.
    function renderSecurity(report) {
        const panel = W.$('security-panel');
        const r = report || {};
        const lines = [];
        if (r.wasEncrypted || (r.decryption && r.decryption !== 'none')) {
            if (r.decryption === 'ok') lines.push(yesNo(true, `Encrypted to you${r.encryptionAlgorithm ? ` (${r.encryptionAlgorithm})` : ''}`));
            else if (r.decryption === 'no-key') lines.push(yesNo(false, 'Encrypted, but none of your keys opens it'));
            else lines.push(yesNo(false, 'Encrypted, but it could not be decrypted'));
        } else {
            lines.push(yesNo(true, 'Not encrypted', 'plain'));
        }
        if (r.signature && r.signature !== 'none') {
            const ok = r.signature === 'valid';
            let text = signatureText[r.signature] || `Signature: ${r.signature}`;
            if (r.signer) text += ` — ${r.signer}`;
            if (r.signatureAlgorithm) text += ` (${r.signatureAlgorithm})`;
            lines.push(yesNo(ok, text));
            if (ok && r.signer && r.signerMatchesFrom === false) lines.push(yesNo(false, 'The signer is not the sender shown in From'));
            if (r.signingTime) lines.push(W.el('li', {text: `Signed at ${formatTime(r.signingTime)} (sender’s clock)`}));
        } else {
            lines.push(yesNo(true, 'Not signed', 'plain'));
        }
        if (r.timestamp && r.timestamp !== 'none') {
            const ok = r.timestamp === 'valid';
            lines.push(yesNo(ok, ok ? `Timestamped ${formatTime(r.timestampTime)}${r.timestampAuthority ? ` by ${r.timestampAuthority}` : ''}`
                                    : 'The timestamp is not valid'));
        }
        if (r.harvested) lines.push(W.el('li', {text: 'The sender’s certificate was saved: replies can be encrypted.'}));
        if (r.detail) lines.push(W.el('li', {class: 'warn', text: r.detail}));
        panel.replaceChildren(W.el('ul', {}, ...lines));
        panel.dataset.signature = r.signature || 'none';
        panel.dataset.decryption = r.decryption || 'none';
        panel.dataset.timestamp = r.timestamp || 'none';
    }

    function renderAttachments(message, account) {
        const list = W.$('reader-attachments');
        const shown = (message.attachments || []).filter((a) => !a.inline || !a.contentId);
        list.replaceChildren(...shown.map((a) => {
            const name = a.filename || 'attachment';
            const ref = {account, folder: message.folder, uid: message.uid, index: a.index};
            const act = (method, verb) => async () => {
                try {
                    await W.api.call(method, ref);
                    W.status.show(`${verb} ${name}.`, {transient: true});
                } catch (err) {
                    W.status.error(`Could not ${verb.toLowerCase()} ${name}`, err, act(method, verb));
                }
            };
            return W.el('li', {dataset: {index: a.index}},
                W.el('span', {class: 'name', text: name, title: `${name} (${a.mimeType || 'unknown type'})`}),
                W.el('span', {class: 'size', text: W.formatSize(a.size)}),
                W.el('button', {type: 'button', class: 'secondary small open', 'aria-label': `Open ${name}`, text: 'Open', onclick: act('openAttachment', 'Opened')}),
                W.el('button', {type: 'button', class: 'secondary small save', 'aria-label': `Save ${name}`, text: 'Save', onclick: act('saveAttachment', 'Saved')}));
        }));
    }

    // Remote images: only for senders the user allowed, and never for
    // encrypted mail (loading them would tell the sender it was opened).
    function remoteAllowed(message) {
        const r = message.security || {};
        return !!message.remoteContentAllowed && !r.wasEncrypted && (!r.decryption || r.decryption === 'none');
    }

    // A new frame for every document: setting srcdoc on a frame that already
    // shows one is a navigation with a session-history entry, and the
    // browser's Back would then put an earlier mail's body under this mail's
    // headers. A frame's first load adds no entry.
    function showInFrame(srcdoc) {
        const old = W.$('reader-frame');
        const frame = old.cloneNode(false);
        frame.srcdoc = srcdoc;
        old.replaceWith(frame);
    }

    function renderBody() {
        const message = current;
        const hasHtml = !!(message.html && message.html.trim());
        const showPlain = plain || !hasHtml;
        const toggle = W.$('reader-view-toggle');
        toggle.hidden = !hasHtml;
        toggle.setAttribute('aria-pressed', String(showPlain));
        toggle.textContent = showPlain ? 'Formatted view' : 'Plain text';
        let blocked = 0;
        if (showPlain) {
            showInFrame(W.sanitize.textDocument(message.text || ''));
        } else {
            const doc = W.sanitize.htmlDocument(message.html, {allowRemote: remoteAllowed(message), inlineImages: message.inlineImages});
            blocked = doc.blockedRemote;
            showInFrame(doc.srcdoc);
        }
        const encrypted = !!(message.security && message.security.wasEncrypted);
        W.$('reader-remote').hidden = blocked === 0;
        W.$('reader-remote-allow').hidden = encrypted;
        W.$('reader-remote-text').textContent = encrypted
            ? 'Remote images are never loaded for encrypted mail.'
            : 'Remote images were blocked to protect your privacy.';
    }

    function render(message, account) {
        current = Object.assign({account}, message);
        W.$('reader').hidden = false;
        W.$('app').classList.add('reading');
        W.$('reader-subject').textContent = message.subject || '(no subject)';
        W.$('reader-from').textContent = W.addressText(message.from);
        W.$('reader-to').textContent = W.addressText(message.to);
        const cc = W.addressText(message.cc);
        W.$('reader-cc').textContent = cc;
        document.querySelectorAll('.reader-cc-row').forEach((n) => { n.hidden = !cc; });
        W.$('reader-date').textContent = W.formatFullDate(message.date);
        renderSecurity(message.security);
        renderAttachments(message, account);
        renderBody();
    }

    async function open(account, folder, uid) {
        const seq = ++openSeq;
        plain = false;
        W.$('reader').hidden = false;
        W.$('app').classList.add('reading');
        W.$('reader').setAttribute('aria-busy', 'true');
        W.status.show('Opening the message…');
        try {
            const message = await W.api.call('message', {account, folder, uid});
            if (seq !== openSeq) return;
            render(Object.assign({folder, uid}, message), account);
            W.status.clear();
            W.folders.refresh();
        } catch (err) {
            if (seq === openSeq) W.status.error('Could not open the message', err, () => open(account, folder, uid));
        } finally {
            if (seq === openSeq) W.$('reader').removeAttribute('aria-busy');
        }
    }

    function close() {
        current = null;
        openSeq++;
        W.$('reader').hidden = true;
        W.$('app').classList.remove('reading');
        showInFrame('');
    }
    function closeIf(account, folder, uids) {
        if (current && current.account === account && current.folder === folder && uids.includes(current.uid)) close();
    }

    async function allowRemote() {
        if (!current) return;
        const sender = W.addressList(current.from)[0];
        if (!sender) return;
        try {
            await W.api.call('allowRemoteContent', {account: current.account, sender});
            current.remoteContentAllowed = true;
            renderBody();
        } catch (err) {
            W.status.error('Could not allow remote images', err, allowRemote);
        }
    }

    function init() {
        W.$('reader-view-toggle').addEventListener('click', () => { plain = !plain; if (current) renderBody(); });
        W.$('reader-remote-allow').addEventListener('click', allowRemote);
        W.$('reader-reply').addEventListener('click', () => current && W.compose.reply(current, 'reply'));
        W.$('reader-reply-all').addEventListener('click', () => current && W.compose.reply(current, 'all'));
        W.$('reader-forward').addEventListener('click', () => current && W.compose.reply(current, 'forward'));
        W.$('reader-back').addEventListener('click', () => { close(); W.list.focus(); });
    }

    W.reader = {init, open, close, closeIf, get current() { return current; }};
})(globalThis.Webmail);
