// The message list, virtualized: the DOM holds only the rows in view (plus a
// few either side), absolutely placed over a spacer as tall as all rows; the
// rows' data comes in slices of PAGE from messages({offset, limit}).
(function (W) {
    'use strict';
    const PAGE = 100;
    const OVERSCAN = 6;

    let rowHeight = 56;
    let total = 0;
    let generation = 0;          // bumped when the folder's contents may have changed
    const pages = new Map();     // page index → {items, gen}
    const loading = new Map();   // page index → generation being fetched
    let cursor = -1;             // index of the focused row
    let cursorUid = null;
    let anchor = -1;             // index where a Shift range starts
    const selection = new Set(); // selected uids
    let frame = 0;
    let listKey = '';            // account + folder the cache belongs to

    function list() { return W.$('message-list'); }

    function measureRowHeight() {
        const probe = W.el('div', {class: 'message-row', style: 'visibility:hidden;position:absolute'});
        list().append(probe);
        rowHeight = probe.getBoundingClientRect().height || rowHeight;
        probe.remove();
    }

    function itemAt(index) {
        const page = pages.get(Math.floor(index / PAGE));
        return page ? page.items[index % PAGE] : undefined;
    }
    function indexOfUid(uid) {
        for (const [p, page] of pages) {
            const i = page.items.findIndex((item) => item.uid === uid);
            if (i >= 0) return p * PAGE + i;
        }
        return -1;
    }

    async function loadPage(p) {
        const gen = generation;
        if (loading.get(p) === gen) return;
        loading.set(p, gen);
        const key = listKey;
        try {
            const answer = await W.api.call('messages', {account: W.state.account, folder: W.state.folder, offset: p * PAGE, limit: PAGE});
            if (key !== listKey) return;
            pages.set(p, {items: (answer && answer.items) || [], gen});
            if (answer && typeof answer.total === 'number' && answer.total !== total) setTotal(answer.total);
            followCursor();
            schedule();
        } catch (err) {
            if (key === listKey) W.status.error('Could not load the messages', err, () => { loading.delete(p); schedule(); });
        } finally {
            if (loading.get(p) === gen) loading.delete(p);
        }
    }

    function setTotal(n) {
        total = n;
        W.$('message-list-spacer').style.height = `${total * rowHeight}px`;
        W.$('list-empty').hidden = total > 0;
        if (cursor >= total) setCursor(total - 1, false);
    }

    // New mail shifts rows down: keep the cursor on the same message.
    function followCursor() {
        if (cursorUid === null) return;
        const item = itemAt(cursor);
        if (item && item.uid === cursorUid) return;
        const found = indexOfUid(cursorUid);
        if (found >= 0) cursor = found;
    }

    function schedule() {
        if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); });
    }

    function visibleRange() {
        const el = list();
        const first = Math.max(0, Math.floor(el.scrollTop / rowHeight) - OVERSCAN);
        const last = Math.min(total - 1, Math.ceil((el.scrollTop + el.clientHeight) / rowHeight) + OVERSCAN);
        return [first, last];
    }

    function rowFor(index) {
        const item = itemAt(index);
        const attrs = {
            id: `message-row-${index}`, role: 'option', class: 'message-row',
            style: `top:${index * rowHeight}px`, 'aria-posinset': index + 1, 'aria-setsize': total,
            dataset: {index}
        };
        if (!item) {
            attrs.class += ' loading';
            attrs['aria-selected'] = 'false';
            return W.el('div', attrs, W.el('span', {class: 'from', text: 'Loading…'}));
        }
        const unread = !W.hasFlag(item, '\\Seen');
        const starred = W.hasFlag(item, '\\Flagged');
        attrs.dataset.uid = item.uid;
        attrs['aria-selected'] = selection.has(item.uid) ? 'true' : 'false';
        if (unread) attrs.class += ' unread';
        if (index === cursor) attrs.class += ' cursor';
        // In Sent and Drafts the interesting name is the recipient's.
        const folder = W.folders.get(W.state.folder);
        const outgoing = folder && (folder.specialUse === '\\Sent' || folder.specialUse === '\\Drafts');
        const from = outgoing ? `To: ${W.displayName(item.to) || '(no recipient)'}` : W.displayName(item.from) || '(no sender)';
        const subject = item.subject || '(no subject)';
        const badges = [item.hasAttachments ? W.icon('clip') : null, item.encrypted ? W.icon('lock') : null, item.signed ? W.icon('check') : null]
            .filter(Boolean);
        attrs['aria-label'] = `${unread ? 'Unread, ' : ''}${starred ? 'starred, ' : ''}${from}, ${subject}, ${W.formatListDate(item.date)}` +
            `${item.hasAttachments ? ', has attachments' : ''}${item.encrypted ? ', encrypted' : ''}${item.signed ? ', signed' : ''}`;
        return W.el('div', attrs,
            W.el('button', {class: 'star icon', type: 'button', tabindex: -1, 'aria-pressed': starred ? 'true' : 'false',
                            'aria-label': starred ? 'Unstar' : 'Star', text: starred ? '★' : '☆'}),
            W.el('span', {class: 'from', text: from, title: W.addressText(item.from)}),
            W.el('span', {class: 'date'}, badges.length ? W.el('span', {class: 'badges', 'aria-hidden': 'true'}, ...badges) : null,
                 W.formatListDate(item.date)),
            W.el('span', {class: 'subject', text: subject}));
    }

    function render() {
        const el = list();
        if (!W.state.folder) return;
        const [first, last] = visibleRange();
        for (let p = Math.floor(first / PAGE); p <= Math.floor(Math.max(first, last) / PAGE) && p * PAGE < Math.max(total, 1); ++p) {
            const page = pages.get(p);
            if (!page || page.gen !== generation) loadPage(p);
        }
        const rows = [];
        for (let i = first; i <= last; ++i) rows.push(rowFor(i));
        el.replaceChildren(W.$('message-list-spacer'), ...rows);
        if (cursor >= 0 && cursor < total) el.setAttribute('aria-activedescendant', `message-row-${cursor}`);
        else el.removeAttribute('aria-activedescendant');
    }

    // A new folder: forget everything and load the first slice.
    function reset() {
        listKey = `${W.state.account}\n${W.state.folder}`;
        pages.clear();
        loading.clear();
        selection.clear();
        generation++;
        cursor = -1; cursorUid = null; anchor = -1;
        total = 0;
        W.$('message-list-spacer').style.height = '0px';
        list().scrollTop = 0;
        W.$('list-empty').hidden = true;
        loadPage(0);
        schedule();
    }

    // The folder changed on the server (folderChanged) or by our own action:
    // fetch again what is in view, showing the old rows until the new arrive.
    function invalidate() {
        generation++;
        const [first, last] = visibleRange();
        for (const p of [...pages.keys()]) {
            if (p < Math.floor(first / PAGE) || p > Math.floor(Math.max(first, last) / PAGE)) pages.delete(p);
        }
        if (total === 0) loadPage(0);
        schedule();
    }

    function scrollIntoView(index) {
        const el = list();
        const top = index * rowHeight;
        if (top < el.scrollTop) el.scrollTop = top;
        else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
    }

    function setCursor(index, scroll) {
        cursor = Math.max(-1, Math.min(index, total - 1));
        const item = itemAt(cursor);
        cursorUid = item ? item.uid : null;
        if (scroll !== false && cursor >= 0) scrollIntoView(cursor);
        schedule();
    }

    async function ensureRange(from, to) {
        const needed = [];
        for (let p = Math.floor(from / PAGE); p <= Math.floor(to / PAGE); ++p) {
            if (!pages.has(p)) needed.push(loadPage(p));
        }
        await Promise.all(needed);
    }

    async function selectRange(from, to) {
        const [a, b] = from <= to ? [from, to] : [to, from];
        await ensureRange(a, b);
        selection.clear();
        for (let i = a; i <= b; ++i) {
            const item = itemAt(i);
            if (item) selection.add(item.uid);
        }
        schedule();
    }

    // j/k/arrows: move; with Shift, extend the selection from the anchor.
    async function move(delta, extend) {
        if (total === 0) return;
        const next = cursor < 0 ? 0 : Math.max(0, Math.min(total - 1, cursor + delta));
        if (extend) {
            if (anchor < 0) anchor = cursor < 0 ? next : cursor;
            setCursor(next);
            await ensureRange(next, next);
            cursorUid = itemAt(next) ? itemAt(next).uid : null;
            await selectRange(anchor, next);
        } else {
            anchor = next;
            setCursor(next);
            await ensureRange(next, next);
            const item = itemAt(next);
            cursorUid = item ? item.uid : null;
            selection.clear();
            if (item) selection.add(item.uid);
            schedule();
        }
    }

    function openCursor() {
        const item = itemAt(cursor);
        if (!item) return;
        markSeenLocally(item);
        W.reader.open(W.state.account, W.state.folder, item.uid);
    }

    function markSeenLocally(item) {
        if (!W.hasFlag(item, '\\Seen')) {
            item.flags = [...(item.flags || []), '\\Seen'];
            schedule();
        }
    }

    function onClick(event) {
        const row = event.target.closest('.message-row');
        if (!row || row.classList.contains('loading')) return;
        const index = Number(row.dataset.index);
        const item = itemAt(index);
        if (!item) return;
        if (event.target.closest('.star')) {
            setFlag([item.uid], '\\Flagged', !W.hasFlag(item, '\\Flagged'));
            return;
        }
        list().focus({preventScroll: true});
        if (event.shiftKey) {
            if (anchor < 0) anchor = cursor < 0 ? index : cursor;
            setCursor(index, false);
            selectRange(anchor, index);
        } else if (event.ctrlKey || event.metaKey) {
            if (selection.has(item.uid)) selection.delete(item.uid); else selection.add(item.uid);
            anchor = index;
            setCursor(index, false);
        } else {
            selection.clear();
            selection.add(item.uid);
            anchor = index;
            setCursor(index, false);
            openCursor();
        }
    }

    // The messages an action applies to: the selection, else the cursor's.
    function targets() {
        if (selection.size) return [...selection];
        const item = itemAt(cursor);
        return item ? [item.uid] : [];
    }
    function items(uids) {
        return uids.map((uid) => { const i = indexOfUid(uid); return i >= 0 ? itemAt(i) : null; }).filter(Boolean);
    }

    async function setFlag(uids, flag, set) {
        if (!uids.length) return;
        const changed = items(uids);
        const before = changed.map((item) => item.flags || []);
        for (const item of changed) {
            const flags = new Set(item.flags || []);
            if (set) flags.add(flag); else flags.delete(flag);
            item.flags = [...flags];
        }
        schedule();
        const run = async () => {
            try {
                await W.api.call('setFlags', {account: W.state.account, folder: W.state.folder, uids, flag, set});
                if (flag === '\\Seen') W.folders.refresh();
            } catch (err) {
                changed.forEach((item, i) => { item.flags = before[i]; });
                schedule();
                W.status.error('Could not change the flag', err, () => setFlag(uids, flag, set));
            }
        };
        await run();
    }

    function toggleRead() {
        const uids = targets();
        const anyUnread = items(uids).some((item) => !W.hasFlag(item, '\\Seen'));
        return setFlag(uids, '\\Seen', anyUnread);
    }
    function toggleStar() {
        const uids = targets();
        const allStarred = items(uids).length > 0 && items(uids).every((item) => W.hasFlag(item, '\\Flagged'));
        return setFlag(uids, '\\Flagged', !allStarred);
    }

    // delete / archive / move: the rows go away, the cursor stays at its index.
    async function transfer(method, extra, label) {
        const uids = targets();
        if (!uids.length) return;
        const account = W.state.account, folder = W.state.folder;
        try {
            await W.api.call(method, Object.assign({account, folder, uids}, extra));
            selection.clear();
            W.reader.closeIf(account, folder, uids);
            const keep = cursor;
            invalidate();
            cursorUid = null;
            cursor = keep;
            W.folders.refresh();
            W.status.show(`${label} ${uids.length === 1 ? '1 message' : uids.length + ' messages'}.`, {transient: true});
        } catch (err) {
            W.status.error(`Could not ${label.toLowerCase()} the messages`, err, () => transfer(method, extra, label));
        }
    }
    const remove = () => transfer('remove', {}, 'Deleted');
    const archive = () => transfer('archive', {}, 'Archived');
    const moveTo = (destination) => transfer('move', {destination}, 'Moved');

    function init() {
        measureRowHeight();
        const el = list();
        el.addEventListener('scroll', schedule, {passive: true});
        el.addEventListener('click', onClick);
        el.addEventListener('mousedown', (e) => { if (e.shiftKey) e.preventDefault(); });  // no text selection on Shift+click
        new ResizeObserver(() => { const old = rowHeight; measureRowHeight(); if (old !== rowHeight) setTotal(total); schedule(); }).observe(el);
        W.$('action-read').addEventListener('click', toggleRead);
        W.$('action-star').addEventListener('click', toggleStar);
        W.$('action-archive').addEventListener('click', archive);
        W.$('action-delete').addEventListener('click', remove);
        W.$('action-move').addEventListener('change', (e) => {
            const destination = e.target.value;
            e.target.value = '';
            if (destination) moveTo(destination);
        });
    }

    W.list = {init, reset, invalidate, move, openCursor, toggleRead, toggleStar, remove, archive, moveTo,
              focus: () => list().focus(), get total() { return total; }, get cursor() { return cursor; }};
})(globalThis.Webmail);
