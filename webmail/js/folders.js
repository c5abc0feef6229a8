// The folder list with unread counts, and the "Move to" choices.
(function (W) {
    'use strict';
    const order = {'\\Inbox': 0, '\\Drafts': 1, '\\Sent': 2, '\\Archive': 3, '\\Junk': 4, '\\Trash': 5};
    let folders = [];

    function sortKey(f) {
        if (f.name === 'INBOX') return [0, ''];
        return [f.specialUse in order ? order[f.specialUse] + 1 : 10, (f.displayName || f.name).toLowerCase()];
    }
    function sorted(list) {
        return list.slice().sort((a, b) => {
            const ka = sortKey(a), kb = sortKey(b);
            return ka[0] - kb[0] || (ka[1] < kb[1] ? -1 : ka[1] > kb[1] ? 1 : 0);
        });
    }

    function render() {
        const list = W.$('folder-list');
        const current = W.state.folder;
        list.replaceChildren(...folders.map((f) => {
            const name = f.displayName || f.name;
            const unread = f.unread > 0 ? W.el('span', {class: 'unread', 'aria-hidden': 'true', text: String(f.unread)}) : null;
            return W.el('li', {
                dataset: {folder: f.name}, tabindex: 0, role: 'link',
                'aria-current': f.name === current ? 'true' : 'false',
                'aria-label': f.unread > 0 ? `${name}, ${f.unread} unread` : name,
                onclick: () => W.app.openFolder(f.name),
                onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); W.app.openFolder(f.name); } }
            }, W.el('span', {class: 'name', text: name}), unread);
        }));
        const move = W.$('action-move');
        move.replaceChildren(W.el('option', {value: '', text: 'Move to…'}),
            ...folders.filter((f) => f.name !== current).map((f) => W.el('option', {value: f.name, text: f.displayName || f.name})));
    }

    async function refresh() {
        if (!W.state.account) return;
        try {
            folders = sorted(await W.api.call('folders', {account: W.state.account}) || []);
            render();
        } catch (err) {
            W.status.error('Could not list the folders', err, refresh);
        }
    }

    function bySpecialUse(use) { return folders.find((f) => f.specialUse === use); }
    function get(name) { return folders.find((f) => f.name === name); }
    function all() { return folders; }

    W.folders = {refresh, render, bySpecialUse, get, all};
})(globalThis.Webmail);
