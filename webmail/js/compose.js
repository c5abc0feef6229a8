// Compose: recipient chips (autocomplete from contacts(), a key status per
// chip from recipientStatus() — issue 6), subject, plain or simple rich text,
// attachments (picker, drag and drop), drafts saved as you type, replies and
// forwards with quoting, mailto: prefill. A draft is never dropped: closing
// saves it, and a failed send leaves everything as it was.
(function (W) {
    'use strict';
    const FIELDS = ['to', 'cc', 'bcc'];
    const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
    let draft = null;           // the open message; null when compose is closed
    let saving = null;          // the saveDraft in flight
    let saveAgain = false;
    let suggestion = {field: null, items: [], active: -1};
    let discardArmed = false;

    function blank() {
        return {draftId: undefined, to: [], cc: [], bcc: [], attachments: [], inReplyTo: undefined, references: undefined,
                rich: false, dirty: false, status: new Map()};
    }

    // ---- chips ----
    function chipsBox(field) { return W.$(`compose-${field}-chips`); }
    function input(field) { return W.$(`compose-${field}`); }

    function keyStatusText(status) {
        if (!status) return {cls: '', text: ''};
        if (status.canEncrypt) return {cls: 'encrypted', text: `will be encrypted${status.algorithm ? ` (${status.algorithm.toUpperCase()})` : ''}`};
        return {cls: 'plain', text: `not encrypted: ${status.detail || 'no certificate'}`};
    }

    function renderChips(field) {
        const box = chipsBox(field);
        const entry = input(field);
        const chips = draft[field].map((address, i) => {
            const valid = W.isAddress(address);
            const status = keyStatusText(draft.status.get(address.toLowerCase()));
            return W.el('span', {class: `chip ${valid ? status.cls : 'invalid'}`, dataset: {address},
                                 title: valid ? address : `${address} is not a valid address`},
                W.el('span', {class: 'address', text: address}),
                W.el('span', {class: 'key-status'}, status.cls === 'encrypted' ? W.icon('lock') : null, valid ? status.text : 'not a valid address'),
                W.el('button', {type: 'button', class: 'icon remove', 'aria-label': `Remove ${address}`, text: '×',
                                onclick: () => { draft[field].splice(i, 1); changed(); renderChips(field); refreshKeyStatus(); entry.focus(); }}));
        });
        // The input stays where it is (moving it would drop its focus).
        box.querySelectorAll('.chip').forEach((c) => c.remove());
        entry.before(...chips);
    }

    function addRecipients(field, text) {
        const added = W.splitAddresses(text).filter((a) => !draft[field].some((x) => x.toLowerCase() === a.toLowerCase()));
        if (!added.length) return false;
        draft[field].push(...added);
        renderChips(field);
        changed();
        refreshKeyStatus();
        return true;
    }
    function commitTyped(field) {
        const entry = input(field);
        if (entry.value.trim()) { addRecipients(field, entry.value); entry.value = ''; }
    }

    const refreshKeyStatus = W.debounce(async () => {
        if (!draft) return;
        const addresses = [...new Set(FIELDS.flatMap((f) => draft[f]).filter(W.isAddress).map((a) => a.toLowerCase()))];
        if (!addresses.length) { W.$('compose-encryption').textContent = ''; return; }
        try {
            const statuses = await W.api.call('recipientStatus', {account: W.state.account, addresses}) || [];
            if (!draft) return;
            for (const s of statuses) if (s && s.address) draft.status.set(String(s.address).toLowerCase(), s);
            FIELDS.forEach(renderChips);
            const without = addresses.filter((a) => !(draft.status.get(a) || {}).canEncrypt);
            W.$('compose-encryption').textContent = without.length === 0
                ? 'This message will be encrypted and signed.'
                : `This message will be signed but not encrypted: no certificate for ${without.join(', ')}.`;
        } catch (err) {
            W.$('compose-encryption').textContent = '';
        }
    }, 250);

    // ---- autocomplete ----
    function hideSuggestions() {
        W.$('compose-suggestions').hidden = true;
        if (suggestion.field) input(suggestion.field).setAttribute('aria-expanded', 'false');
        suggestion = {field: null, items: [], active: -1};
    }
    function renderSuggestions() {
        const box = W.$('compose-suggestions');
        if (!suggestion.items.length) { hideSuggestions(); return; }
        box.replaceChildren(...suggestion.items.map((c, i) => W.el('li', {
            id: `compose-suggestion-${i}`, role: 'option', 'aria-selected': i === suggestion.active ? 'true' : 'false',
            dataset: {address: c.address}, text: c.name ? `${c.name} <${c.address}>` : c.address,
            onmousedown: (e) => { e.preventDefault(); pick(i); }
        })));
        chipsBox(suggestion.field).closest('.field').after(box);
        box.hidden = false;
        const entry = input(suggestion.field);
        entry.setAttribute('aria-expanded', 'true');
        if (suggestion.active >= 0) entry.setAttribute('aria-activedescendant', `compose-suggestion-${suggestion.active}`);
        else entry.removeAttribute('aria-activedescendant');
    }
    function pick(i) {
        const field = suggestion.field;
        const c = suggestion.items[i];
        if (!field || !c) return;
        input(field).value = '';
        addRecipients(field, c.address);
        hideSuggestions();
        input(field).focus();
    }
    const lookup = W.debounce(async (field) => {
        const prefix = input(field).value.trim();
        if (!prefix || !draft) { hideSuggestions(); return; }
        try {
            const items = await W.api.call('contacts', {prefix, limit: 8}) || [];
            if (input(field).value.trim() !== prefix) return;
            suggestion = {field, items: items.filter((c) => !draft[field].includes(c.address)), active: -1};
            renderSuggestions();
        } catch (err) {
            hideSuggestions();
        }
    }, 120);

    function onChipKey(field, e) {
        const entry = input(field);
        const open = suggestion.field === field && suggestion.items.length > 0;
        if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
            e.preventDefault();
            const n = suggestion.items.length;
            suggestion.active = (suggestion.active + (e.key === 'ArrowDown' ? 1 : n - 1 + (suggestion.active < 0 ? 1 : 0))) % n;
            renderSuggestions();
        } else if ((e.key === 'Enter' || e.key === 'Tab') && open && suggestion.active >= 0) {
            e.preventDefault();
            pick(suggestion.active);
        } else if ((e.key === 'Enter' || e.key === ',' || e.key === ';') && entry.value.trim()) {
            e.preventDefault();
            commitTyped(field);
            hideSuggestions();
        } else if (e.key === 'Backspace' && !entry.value && draft[field].length) {
            draft[field].pop();
            renderChips(field);
            changed();
            refreshKeyStatus();
            entry.focus();
        } else if (e.key === 'Escape' && open) {
            e.stopPropagation();
            hideSuggestions();
        }
    }

    // ---- body ----
    function body() { return W.$('compose-body'); }
    function setRich(rich) {
        draft.rich = rich;
        const el = body();
        if (!rich) {
            const text = el.innerText;
            el.contentEditable = 'plaintext-only';
            el.textContent = text;
        } else {
            el.contentEditable = 'true';
        }
        W.$('compose-rich').setAttribute('aria-pressed', String(rich));
        document.querySelectorAll('#compose .fmt').forEach((b) => { b.disabled = !rich; });
    }
    function format(command) {
        if (!draft || !draft.rich) return;
        body().focus();
        if (command === 'createLink') {
            const url = prompt('Link address (https://…)');
            if (!url || !/^(https?:|mailto:)/i.test(url.trim())) return;
            document.execCommand('createLink', false, url.trim());
        } else {
            document.execCommand(command, false, null);
        }
        changed();
    }

    // ---- attachments ----
    function renderAttachments() {
        W.$('compose-attachments').replaceChildren(...draft.attachments.map((a, i) => W.el('li', {dataset: {index: i}},
            W.el('span', {class: 'name', text: a.filename}), W.el('span', {class: 'size', text: W.formatSize(a.size)}),
            W.el('button', {type: 'button', class: 'icon', 'aria-label': `Remove attachment ${a.filename}`, text: '×',
                            onclick: () => { draft.attachments.splice(i, 1); renderAttachments(); changed(); }}))));
    }
    function readFile(file) {
        return new Promise((resolve, reject) => {
            const reader = new FileReader();
            reader.onload = () => {
                const url = String(reader.result);
                resolve({filename: file.name, mimeType: file.type || 'application/octet-stream',
                         base64: url.slice(url.indexOf(',') + 1), size: file.size});
            };
            reader.onerror = () => reject(reader.error);
            reader.readAsDataURL(file);
        });
    }
    async function attach(files) {
        for (const file of files) {
            if (file.size > MAX_ATTACHMENT_BYTES) {
                setStatus(`${file.name} is larger than 25 MB; most servers refuse that. It was not attached.`, true);
                continue;
            }
            try {
                draft.attachments.push(await readFile(file));
            } catch (err) {
                setStatus(`Could not read ${file.name}.`, true);
            }
        }
        renderAttachments();
        changed();
    }

    // ---- drafts ----
    function setStatus(text, isError) {
        const s = W.$('compose-status');
        s.textContent = text || '';
        s.classList.toggle('error', !!isError);
    }
    function payload() {
        const el = body();
        const text = el.innerText.replace(/\n$/, '');
        const message = {
            account: W.state.account, draftId: draft.draftId, to: draft.to.slice(), cc: draft.cc.slice(), bcc: draft.bcc.slice(),
            subject: W.$('compose-subject').value, text,
            attachments: draft.attachments.map(({filename, mimeType, base64}) => ({filename, mimeType, base64}))
        };
        if (draft.rich) message.html = W.sanitize.sanitize(el.innerHTML, {inPage: true}).html;
        if (draft.inReplyTo) message.inReplyTo = draft.inReplyTo;
        if (draft.references) message.references = draft.references;
        return message;
    }
    function isEmpty() {
        return !draft || (!FIELDS.some((f) => draft[f].length || input(f).value.trim()) && !W.$('compose-subject').value.trim() &&
                          !body().innerText.trim() && !draft.attachments.length);
    }
    async function saveDraft() {
        if (!draft) return true;
        if (saving) { saveAgain = true; return saving; }
        const current = draft;
        const message = payload();
        current.dirty = false;
        setStatus('Saving draft…');
        saving = (async () => {
            try {
                const answer = await W.api.call('saveDraft', message);
                if (answer && answer.draftId) current.draftId = answer.draftId;
                if (draft === current) setStatus(`Draft saved ${new Date().toLocaleTimeString(undefined, {hour: '2-digit', minute: '2-digit'})}.`);
                return true;
            } catch (err) {
                current.dirty = true;
                if (draft === current) setStatus(`The draft could not be saved: ${W.api.describe(err)} It is still here; Cachet will try again.`, true);
                return false;
            } finally {
                saving = null;
                if (saveAgain && draft === current) { saveAgain = false; autosave(); }
            }
        })();
        return saving;
    }
    const autosave = W.debounce(() => { if (draft && draft.dirty && !isEmpty()) saveDraft(); }, 1500);
    function changed() {
        if (!draft) return;
        draft.dirty = true;
        discardArmed = false;
        W.$('compose-discard').textContent = 'Discard';
        autosave();
    }

    // ---- open / close / send ----
    function open(init) {
        if (draft && !isEmpty()) {
            W.status.show('Finish or close the message you are writing first.', {transient: true});
            W.$('compose-subject').focus();
            return;
        }
        const v = init || {};
        draft = blank();
        draft.draftId = v.draftId;
        draft.inReplyTo = v.inReplyTo;
        draft.references = v.references;
        for (const f of FIELDS) { draft[f] = (v[f] || []).slice(); input(f).value = ''; renderChips(f); }
        W.$('compose-title').textContent = v.title || 'New message';
        W.$('compose-subject').value = v.subject || '';
        W.$('compose-encryption').textContent = '';
        const el = body();
        el.contentEditable = 'plaintext-only';
        el.textContent = v.text || '';
        setRich(false);
        if (v.html) { setRich(true); el.innerHTML = W.sanitize.sanitize(v.html, {inPage: true}).html; }
        draft.attachments = (v.attachments || []).map((a) => Object.assign({size: Math.floor((a.base64 || '').length * 3 / 4)}, a));
        renderAttachments();
        setStatus('');
        discardArmed = false;
        W.$('compose-discard').textContent = 'Discard';
        W.$('compose').hidden = false;
        refreshKeyStatus();
        if (!draft.to.length) input('to').focus();
        else if (!W.$('compose-subject').value) W.$('compose-subject').focus();
        else { el.focus(); placeCaretAtStart(el); }
    }
    function placeCaretAtStart(el) {
        const range = document.createRange();
        range.setStart(el, 0);
        range.collapse(true);
        const sel = getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
    }
    function hide() {
        autosave.cancel();
        refreshKeyStatus.cancel();
        hideSuggestions();
        draft = null;
        W.$('compose').hidden = true;
        W.list.focus();
    }
    async function close() {
        if (!draft) return;
        FIELDS.forEach(commitTyped);
        if (!isEmpty() && (draft.dirty || !draft.draftId)) {
            autosave.cancel();
            if (!(await saveDraft())) return;  // keep it open: nothing is lost
            W.status.show('Draft saved in Drafts.', {transient: true});
        }
        hide();
    }
    function discard() {
        if (!draft) return;
        if (isEmpty() || discardArmed) { hide(); return; }
        discardArmed = true;
        W.$('compose-discard').textContent = 'Really discard?';
        setStatus('Click “Really discard?” to throw this message away.');
    }

    async function send() {
        if (!draft) return;
        FIELDS.forEach(commitTyped);
        hideSuggestions();
        const all = FIELDS.flatMap((f) => draft[f]);
        if (!all.length) { setStatus('Add at least one recipient.', true); input('to').focus(); return; }
        const bad = all.filter((a) => !W.isAddress(a));
        if (bad.length) { setStatus(`Not a valid address: ${bad.join(', ')}`, true); return; }
        autosave.cancel();
        const current = draft;
        const message = payload();
        const button = W.$('compose-send');
        button.disabled = true;
        setStatus('Sending…');
        try {
            const result = await W.api.call('send', message) || {};
            if (draft !== current) return;
            hide();
            const notes = [];
            if (result.encrypted) notes.push('encrypted');
            if (result.signed) notes.push('signed');
            if (result.timestamped) notes.push('timestamped');
            let text = `Message sent${notes.length ? ` (${notes.join(', ')})` : ''}.`;
            if (result.refused && result.refused.length) text += ` Refused by the server: ${result.refused.join(', ')}.`;
            if (result.notes) text += ` ${Array.isArray(result.notes) ? result.notes.join(' ') : result.notes}`;
            W.status.show(text, {transient: !(result.refused && result.refused.length)});
            W.folders.refresh();
        } catch (err) {
            if (draft !== current) return;
            const text = W.api.describe(err);
            setStatus(`Not sent: ${text}`, true);
            W.status.error('The message was not sent', err, err.code === 'uncertain' ? null : send);
            current.dirty = true;
        } finally {
            button.disabled = false;
        }
    }

    // ---- replies, forwards, mailto ----
    function plainOf(message) {
        if (message.text && message.text.trim()) return message.text;
        if (!message.html) return '';
        const doc = new DOMParser().parseFromString(W.sanitize.sanitize(message.html, {}).html, 'text/html');
        return doc.body.innerText || doc.body.textContent || '';
    }
    function prefixed(subject, prefix) {
        const s = subject || '';
        return new RegExp(`^\\s*${prefix}:`, 'i').test(s) ? s : `${prefix}: ${s}`;
    }
    function reply(message, mode) {
        const me = (W.state.account || '').toLowerCase();
        const from = W.addressList(message.from);
        const text = plainOf(message);
        const date = W.formatFullDate(message.date);
        if (mode === 'forward') {
            open({
                title: 'Forward', subject: prefixed(message.subject, 'Fwd'),
                text: `\n\n---------- Forwarded message ----------\nFrom: ${W.addressText(message.from)}\nDate: ${date}\n` +
                      `Subject: ${message.subject || ''}\nTo: ${W.addressText(message.to)}\n\n${text}`
            });
            return;
        }
        const notMe = (a) => a.toLowerCase() !== me;
        let to = from.length ? from : [];
        let cc = [];
        if (mode === 'all') {
            const others = W.addressList(message.to).filter(notMe);
            to = [...new Set([...from.filter(notMe), ...others])];
            if (!to.length) to = from;
            cc = W.addressList(message.cc).filter(notMe).filter((a) => !to.includes(a));
        }
        const quoted = text.replace(/\n$/, '').split('\n').map((line) => (line.startsWith('>') ? '>' : '> ') + line).join('\n');
        const refs = [message.references, message.messageId].flat().filter(Boolean).join(' ').trim();
        open({
            title: mode === 'all' ? 'Reply to all' : 'Reply', to, cc, subject: prefixed(message.subject, 'Re'),
            text: `\n\nOn ${date}, ${W.addressText(message.from)} wrote:\n${quoted}\n`,
            inReplyTo: message.messageId || undefined, references: refs || undefined
        });
    }

    // RFC 6068: mailto:a@x,b@y?cc=..&bcc=..&subject=..&body=..
    function parseMailto(url) {
        const m = /^mailto:([^?]*)(?:\?(.*))?$/i.exec(String(url).trim());
        if (!m) return null;
        const decode = (s) => { try { return decodeURIComponent(s.replace(/\+/g, '%20')); } catch (e) { return s; } };
        const out = {to: W.splitAddresses(decode(m[1])), cc: [], bcc: [], subject: '', text: ''};
        for (const pair of (m[2] || '').split('&')) {
            if (!pair) continue;
            const eq = pair.indexOf('=');
            const key = decode(eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
            const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
            if (key === 'to') out.to.push(...W.splitAddresses(value));
            else if (key === 'cc') out.cc.push(...W.splitAddresses(value));
            else if (key === 'bcc') out.bcc.push(...W.splitAddresses(value));
            else if (key === 'subject') out.subject = value;
            else if (key === 'body') out.text = value.replace(/\r\n/g, '\n');
        }
        return out;
    }
    function openMailto(url) {
        const fields = parseMailto(url);
        if (fields) open(fields);
        else W.status.show('That mail link could not be read.', {error: true});
    }

    async function offerDrafts() {
        try {
            const drafts = await W.api.call('drafts', {account: W.state.account}) || [];
            if (!drafts.length) return;
            W.status.show(`${drafts.length === 1 ? 'A message you were writing was' : drafts.length + ' messages you were writing were'} not sent yet.`,
                {action: {label: 'Open draft', run: () => open(Object.assign({title: 'Draft'}, drafts[0]))}});
        } catch (err) { /* the Drafts folder still has them */ }
    }

    function init() {
        W.$('compose-button').addEventListener('click', () => open());
        W.$('compose-close').addEventListener('click', close);
        W.$('compose-discard').addEventListener('click', discard);
        W.$('compose-send').addEventListener('click', send);
        W.$('compose-rich').addEventListener('click', () => { if (draft) { setRich(!draft.rich); changed(); } });
        document.querySelectorAll('#compose .fmt').forEach((b) => b.addEventListener('click', () => format(b.dataset.command)));
        for (const f of FIELDS) {
            const entry = input(f);
            entry.addEventListener('keydown', (e) => onChipKey(f, e));
            entry.addEventListener('input', () => { if (/[,;]\s*$/.test(entry.value)) { commitTyped(f); hideSuggestions(); } else lookup(f); });
            entry.addEventListener('blur', () => { commitTyped(f); if (suggestion.field === f) hideSuggestions(); });
            entry.addEventListener('paste', (e) => {
                const text = e.clipboardData && e.clipboardData.getData('text');
                if (text && /[,;\n]/.test(text)) { e.preventDefault(); addRecipients(f, text); }
            });
            chipsBox(f).addEventListener('click', (e) => { if (e.target === chipsBox(f)) entry.focus(); });
        }
        W.$('compose-subject').addEventListener('input', changed);
        body().addEventListener('input', changed);
        W.$('compose-file').addEventListener('change', (e) => { attach([...e.target.files]); e.target.value = ''; });
        const pane = W.$('compose');
        let depth = 0;
        pane.addEventListener('dragenter', (e) => { if (e.dataTransfer && [...e.dataTransfer.types].includes('Files')) { depth++; W.$('compose-drop').hidden = false; } });
        pane.addEventListener('dragleave', () => { if (depth > 0 && --depth === 0) W.$('compose-drop').hidden = true; });
        pane.addEventListener('dragover', (e) => { if (e.dataTransfer && [...e.dataTransfer.types].includes('Files')) e.preventDefault(); });
        pane.addEventListener('drop', (e) => {
            depth = 0;
            W.$('compose-drop').hidden = true;
            if (e.dataTransfer && e.dataTransfer.files.length) { e.preventDefault(); attach([...e.dataTransfer.files]); }
        });
        pane.addEventListener('keydown', (e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(); }
            else if (e.key === 'Escape') { e.preventDefault(); close(); }
        });
        // Leaving the page: save what is being written.
        window.addEventListener('pagehide', () => { if (draft && draft.dirty && !isEmpty()) saveDraft(); });
    }

    W.compose = {init, open, close, send, reply, openMailto, parseMailto, offerDrafts, get isOpen() { return !!draft; }};
})(globalThis.Webmail);
