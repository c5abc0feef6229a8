// A scripted stand-in for the native `mail` QWebChannel object
// (docs/webmail-bridge.md), injected into the same isolated world as the
// webmail bundle, like the browser's bridge. Same calling convention: every
// method takes a JSON string and a callback that gets a JSON string, later;
// slow methods answer {"request"} and then a "reply" event behind
// eventsReady()/takeEvents(). Fixtures: one account (or none, for the first
// run), an INBOX of `inboxSize` generated messages, a Hostile folder holding
// the HTML safety corpus. Tests read `cachet.mail.__log` and drive
// `__deliver`, `__emit`.
(function () {
    'use strict';
    if (window !== window.top) return;  // like runsOnSubFrames(false)
    const config = Object.assign({accounts: 1, inboxSize: 100000, hostile: [], hitBase: ''}, globalThis.__fakeConfig || {});
    const ME = 'alice@example.test';
    const contacts = [
        {name: 'Bob Example', address: 'bob@example.test'},
        {name: 'Bobby Tables', address: 'bobby@plain.test'},
        {name: 'Carol Plain', address: 'carol@plain.test'},
        {name: 'Dave Secure', address: 'dave@secure.test'},
        {name: 'Erin Example', address: 'erin@example.test'}
    ];
    const canEncrypt = (a) => /@(secure|example)\.test$/i.test(a);
    const accounts = [];
    if (config.accounts > 0) accounts.push(account(ME, 'Alice Example'));
    function account(address, displayName) {
        return {address, displayName: displayName || '', status: {sync: 'idle', error: ''}, security: {phase: 'ready', detail: ''}};
    }

    // INBOX: uids 1..N, newest (highest uid) first; generated on demand.
    let nextUid = config.inboxSize + 1;
    let inbox = [];
    for (let uid = config.inboxSize; uid >= 1; --uid) inbox.push(uid);
    const extra = new Map();    // uid → fixed fields for delivered mail
    const flags = new Map();    // uid → Set of flags, when changed from the generated ones
    const BASE_DATE = Date.UTC(2026, 10, 24, 12, 0, 0) / 1000;
    function generated(uid) {
        if (extra.has(uid)) return extra.get(uid);
        const c = contacts[uid % contacts.length];
        const special = uid % 1000 === 0;
        return {
            uid,
            subject: special ? `Quarterly report ${uid / 1000}` : `Message ${uid}`,
            from: c.name ? `${c.name} <${c.address}>` : c.address,
            to: ME,
            date: BASE_DATE - (config.inboxSize - uid) * 600,
            hasAttachments: uid % 7 === 0,
            size: 2000 + uid % 5000,
            encrypted: uid % 5 === 0,
            signed: uid % 2 === 0
        };
    }
    function flagsOf(uid) {
        if (!flags.has(uid)) flags.set(uid, new Set(uid % 3 === 0 ? [] : ['\\Seen']));
        return flags.get(uid);
    }
    function summary(uid) { return Object.assign({}, generated(uid), {flags: [...flagsOf(uid)]}); }

    const hostile = (config.hostile || []).map((m, i) => Object.assign({uid: i + 1}, m));
    const folders = {
        INBOX: {displayName: 'Inbox', specialUse: '\\Inbox'},
        Drafts: {displayName: 'Drafts', specialUse: '\\Drafts'},
        Sent: {displayName: 'Sent', specialUse: '\\Sent'},
        Archive: {displayName: 'Archive', specialUse: '\\Archive'},
        Trash: {displayName: 'Trash', specialUse: '\\Trash'},
        Hostile: {displayName: 'Hostile', specialUse: ''}
    };
    const otherFolders = {Drafts: [], Sent: [], Archive: [], Trash: []};
    function folderUids(folder) {
        if (folder === 'INBOX') return inbox;
        if (folder === 'Hostile') return hostile.map((m) => m.uid).reverse();
        return otherFolders[folder] || null;
    }
    function itemOf(folder, uid) {
        if (folder === 'Hostile') {
            const m = hostile.find((h) => h.uid === uid);
            return m && {uid, subject: m.subject, from: m.from || 'Mallory <mallory@evil.test>', to: ME, date: BASE_DATE,
                         flags: ['\\Seen'], hasAttachments: false, size: m.html.length, encrypted: !!m.encrypted, signed: false};
        }
        return summary(uid);
    }

    const log = [];
    const events = [];
    const listeners = [];
    let requestSeq = 0;
    let draftSeq = 0;
    const allowedSenders = new Set(config.allowedSenders || []);
    const failures = Object.assign({}, config.failures || {});  // method → [error codes to answer first]
    const alwaysFail = {};

    function emitReady() { setTimeout(() => listeners.forEach((fn) => fn()), 0); }
    function pushEvent(event) { events.push(event); emitReady(); }

    function fail(code, message) { return {error: {code, message: message || ''}}; }
    function need(params, ...names) {
        for (const n of names) if (params[n] === undefined) return fail('bad-request', `${n} is missing`);
        return null;
    }

    const quick = {
        accounts: () => ({result: accounts}),
        folders: (p) => need(p, 'account') || {result: Object.entries(folders).map(([name, f]) => {
            const uids = folderUids(name) || [];
            const unread = name === 'INBOX' ? inboxUnread() : name === 'Hostile' ? 0 : 0;
            return {name, displayName: f.displayName, specialUse: f.specialUse, unread, total: uids.length};
        })},
        messages: (p) => {
            const missing = need(p, 'account', 'folder', 'offset', 'limit');
            if (missing) return missing;
            const uids = folderUids(p.folder);
            if (!uids) return fail('not-found', p.folder);
            const slice = uids.slice(p.offset, p.offset + Math.min(p.limit, 500));
            return {result: {total: uids.length, items: slice.map((uid) => itemOf(p.folder, uid))}};
        },
        search: (p) => {
            const words = String(p.words || '').toLowerCase().split(/\s+/).filter(Boolean);
            const out = [];
            for (const uid of inbox) {
                const m = generated(uid);
                const text = `${m.subject} ${m.from}`.toLowerCase();
                if (words.every((w) => text.includes(w))) out.push({folder: 'INBOX', uid, subject: m.subject, from: m.from, date: m.date});
                if (out.length >= (p.limit || 50)) break;
            }
            return {result: out};
        },
        contacts: (p) => {
            const prefix = String(p.prefix || '').toLowerCase();
            return {result: contacts.filter((c) => c.address.startsWith(prefix) || c.name.toLowerCase().split(' ').some((w) => w.startsWith(prefix)))
                                    .slice(0, p.limit || 10)};
        },
        takeEvents: () => ({result: events.splice(0, events.length)}),
        drafts: () => ({result: config.localDrafts || []})
    };
    let unreadCache = null;
    function inboxUnread() {
        if (unreadCache === null) unreadCache = inbox.reduce((n, uid) => n + (flagsOf(uid).has('\\Seen') ? 0 : 1), 0);
        return unreadCache;
    }

    function messageBody(folder, uid) {
        if (folder === 'Hostile') {
            const m = hostile.find((h) => h.uid === uid);
            if (!m) return fail('not-found');
            return {result: {uid, folder, subject: m.subject, from: m.from || 'Mallory <mallory@evil.test>', to: ME, cc: '',
                             date: BASE_DATE, messageId: `<hostile-${uid}@evil.test>`, references: '', html: m.html,
                             text: m.text || 'plain part', attachments: [], inlineImages: m.inlineImages || {},
                             security: m.encrypted ? {wasEncrypted: true, decryption: 'ok', encryptionAlgorithm: 'AES-256-GCM', signature: 'none', timestamp: 'none'}
                                                   : {wasEncrypted: false, decryption: 'none', signature: 'none', timestamp: 'none'},
                             remoteContentAllowed: allowedSenders.has((m.fromAddress || 'mallory@evil.test'))}};
        }
        if (!inbox.includes(uid)) return fail('not-found', `no message ${uid}`);
        const m = generated(uid);
        flagsOf(uid).add('\\Seen');
        unreadCache = null;
        const attachments = m.hasAttachments ? [
            {index: 0, filename: `report-${uid}.pdf`, mimeType: 'application/pdf', size: 48213, inline: false, contentId: ''},
            {index: 1, filename: 'notes.txt', mimeType: 'text/plain', size: 311, inline: false, contentId: ''}] : [];
        return {result: {
            uid, folder, subject: m.subject, from: m.from, to: m.to, cc: uid % 4 === 0 ? 'Erin Example <erin@example.test>' : '',
            date: m.date, messageId: `<m${uid}@example.test>`, references: '',
            html: m.html || `<p>Hello Alice,</p><p>This is <b>message ${uid}</b>.</p><blockquote>Quoted earlier text</blockquote>`,
            text: m.text || `Hello Alice,\n\nThis is message ${uid}.\n`,
            attachments, inlineImages: {},
            security: m.encrypted
                ? {wasEncrypted: true, decryption: 'ok', encryptionAlgorithm: 'AES-256-GCM', signature: 'valid', signer: m.from.replace(/.*<|>.*/g, ''),
                   signerMatchesFrom: true, signatureAlgorithm: 'RSA-SHA256', signingTime: m.date, timestamp: 'valid', timestampTime: m.date + 2,
                   timestampAuthority: 'CN=Cachet TSA', harvested: false, detail: ''}
                : m.signed ? {wasEncrypted: false, decryption: 'none', signature: 'valid', signer: m.from.replace(/.*<|>.*/g, ''), signerMatchesFrom: true,
                              signatureAlgorithm: 'EC-SHA256', timestamp: 'none', harvested: true}
                    : {wasEncrypted: false, decryption: 'none', signature: 'none', timestamp: 'none'},
            remoteContentAllowed: false
        }};
    }

    function removeUids(folder, uids, destination) {
        const list = folderUids(folder);
        if (!list) return fail('not-found', folder);
        const gone = new Set(uids);
        if (folder === 'INBOX') inbox = inbox.filter((u) => !gone.has(u));
        else if (otherFolders[folder]) otherFolders[folder] = otherFolders[folder].filter((u) => !gone.has(u));
        if (destination && otherFolders[destination]) otherFolders[destination].unshift(...uids);
        unreadCache = null;
        return {result: {}};
    }

    const slow = {
        discover: (p) => {
            const domain = String(p.address || '').split('@')[1] || '';
            if (domain === 'unknown.test') return fail('not-found', 'no settings found');
            return {result: {imap: {host: `imap.${domain}`, port: 993, security: 'tls'}, smtp: {host: `smtp.${domain}`, port: 465, security: 'tls'}, source: 'autoconfig'}};
        },
        addAccount: (p) => {
            if (p.password === 'wrong') return fail('auth', 'AUTHENTICATIONFAILED');
            if (p.imap && p.imap.host === 'down.test') return fail('unreachable', 'connection refused');
            const a = account(p.address, p.displayName);
            accounts.push(a);
            return {result: a};
        },
        removeAccount: () => ({result: {}}),
        sync: () => ({result: {}}),
        message: (p) => messageBody(p.folder, p.uid),
        setFlags: (p) => {
            for (const uid of p.uids) { const f = flagsOf(uid); if (p.set) f.add(p.flag); else f.delete(p.flag); }
            unreadCache = null;
            return {result: {}};
        },
        move: (p) => removeUids(p.folder, p.uids, p.destination),
        remove: (p) => removeUids(p.folder, p.uids, 'Trash'),
        archive: (p) => removeUids(p.folder, p.uids, 'Archive'),
        createFolder: () => ({result: {}}),
        send: (p) => {
            const all = [...(p.to || []), ...(p.cc || []), ...(p.bcc || [])];
            const encrypted = all.every(canEncrypt);
            return {result: {messageId: `<sent-${log.length}@example.test>`, accepted: all, refused: [], signed: true, encrypted, timestamped: true,
                             notes: encrypted ? '' : 'Sent signed, not encrypted.'}};
        },
        saveDraft: (p) => ({result: {draftId: p.draftId || `draft-${++draftSeq}`}}),
        recipientStatus: (p) => ({result: (p.addresses || []).map((a) => ({
            address: a.toLowerCase(), canEncrypt: canEncrypt(a), algorithm: canEncrypt(a) ? 'rsa' : '',
            source: canEncrypt(a) ? 'Directory' : 'None', detail: canEncrypt(a) ? '' : 'no certificate'}))}),
        openAttachment: () => ({result: {}}),
        saveAttachment: () => ({result: {}}),
        allowRemoteContent: (p) => { allowedSenders.add(p.sender); return {result: {}}; },
        provideRecoveryKey: () => ({result: {}}),
        exportBackup: () => ({result: {}})
    };

    const mail = {
        eventsReady: {connect: (fn) => listeners.push(fn), disconnect: (fn) => { const i = listeners.indexOf(fn); if (i >= 0) listeners.splice(i, 1); }},
        __log: log,
        __emit: pushEvent,
        // New mail arrives at the top of INBOX, then folderChanged, as from IDLE.
        __deliver: (n) => {
            for (let i = 0; i < n; ++i) {
                const uid = nextUid++;
                extra.set(uid, {uid, subject: `New mail ${i + 1}`, from: 'Bob Example <bob@example.test>', to: ME, date: BASE_DATE + 60 * (i + 1),
                                hasAttachments: false, size: 1200, encrypted: false, signed: false});
                flags.set(uid, new Set());  // new mail is unread
                inbox.unshift(uid);
            }
            unreadCache = null;
            pushEvent({type: 'folderChanged', account: ME, folder: 'INBOX'});
        },
        __setFailures: (method, codes) => { failures[method] = codes.slice(); },
        // Every call of `method` fails with `code` until called with null.
        __failAlways: (method, code) => { if (code) alwaysFail[method] = code; else delete alwaysFail[method]; },
        __calls: (method) => log.filter((e) => e.method === method).map((e) => e.params)
    };
    function respond(method, text, callback) {
        let params;
        try { params = JSON.parse(text); } catch (e) { setTimeout(() => callback(JSON.stringify(fail('bad-request', 'not JSON'))), 0); return; }
        if (method !== 'takeEvents') log.push({method, params});
        const queued = failures[method];
        const injected = alwaysFail[method] ? fail(alwaysFail[method], 'injected by the test')
            : queued && queued.length ? fail(queued.shift(), 'injected by the test') : null;
        if (quick[method]) {
            const answer = injected || quick[method](params);
            setTimeout(() => callback(JSON.stringify(answer)), 0);
            return;
        }
        const request = `r${++requestSeq}`;
        setTimeout(() => callback(JSON.stringify({request})), 0);
        const outcome = injected || slow[method](params);
        setTimeout(() => pushEvent(Object.assign({type: 'reply', request}, outcome)), 1);
    }
    for (const method of [...Object.keys(quick), ...Object.keys(slow)]) {
        mail[method] = (text, callback) => respond(method, text, callback);
    }
    globalThis.cachet = Object.assign(globalThis.cachet || {}, {mail});
})();
