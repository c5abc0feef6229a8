// The search box: search() over the engine's full-text index; the results
// replace the list until closed (Escape or "Close search").
(function (W) {
    'use strict';
    let seq = 0;

    async function run(words) {
        const mine = ++seq;
        const query = (words || '').trim();
        if (!query) { close(); return; }
        W.$('search-results-pane').hidden = false;
        W.$('search-title').textContent = `Searching for “${query}”…`;
        try {
            const results = await W.api.call('search', {account: W.state.account, words: query, limit: 200}) || [];
            if (mine !== seq) return;
            W.$('search-title').textContent = results.length
                ? `${results.length === 200 ? '200+' : results.length} result${results.length === 1 ? '' : 's'} for “${query}”`
                : `Nothing found for “${query}”`;
            W.$('search-results').replaceChildren(...results.map((r) => {
                const folder = W.folders.get(r.folder);
                const openIt = () => W.reader.open(W.state.account, r.folder, r.uid);
                return W.el('li', {class: 'search-row', tabindex: 0, dataset: {folder: r.folder, uid: r.uid},
                                   onclick: openIt, onkeydown: (e) => { if (e.key === 'Enter') openIt(); }},
                    W.el('div', {class: 'subject', text: r.subject || '(no subject)'}),
                    W.el('div', {class: 'meta', text: `${W.addressText(r.from)} · ${folder ? folder.displayName || folder.name : r.folder} · ${W.formatListDate(r.date)}`}));
            }));
        } catch (err) {
            if (mine === seq) {
                W.$('search-title').textContent = 'Search failed';
                W.status.error('Search failed', err, () => run(words));
            }
        }
    }

    function close() {
        seq++;
        W.$('search-results-pane').hidden = true;
        W.$('search-results').replaceChildren();
        W.$('search-input').value = '';
    }

    function init() {
        const box = W.$('search-input');
        const live = W.debounce(() => run(box.value), 250);
        W.$('search-form').addEventListener('submit', (e) => { e.preventDefault(); live.cancel(); run(box.value); });
        box.addEventListener('input', () => { if (box.value.trim().length >= 2) live(); else if (!box.value) close(); });
        box.addEventListener('keydown', (e) => {
            if (e.key === 'Escape') { close(); W.list.focus(); }
            else if (e.key === 'ArrowDown' && W.$('search-results').firstElementChild) { e.preventDefault(); W.$('search-results').firstElementChild.focus(); }
        });
        // Arrows move between results; Escape goes back to the box.
        W.$('search-results').addEventListener('keydown', (e) => {
            const row = e.target.closest('.search-row');
            if (!row) return;
            if (e.key === 'ArrowDown' && row.nextElementSibling) { e.preventDefault(); row.nextElementSibling.focus(); }
            else if (e.key === 'ArrowUp') { e.preventDefault(); (row.previousElementSibling || box).focus(); }
            else if (e.key === 'Escape') { e.preventDefault(); box.focus(); }
        });
        W.$('search-close').addEventListener('click', () => { close(); W.list.focus(); });
    }

    W.search = {init, run, close, focus: () => { W.$('search-input').focus(); W.$('search-input').select(); }};
})(globalThis.Webmail);
