// Keyboard shortcuts (as in Gmail/Thunderbird): j/k or arrows move, Shift
// extends, Enter opens, Delete deletes, e archives, u read/unread, s star,
// r reply, a reply all, f forward, c compose, / search. Not while typing.
(function (W) {
    'use strict';

    function typing(target) {
        return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    }

    function onKey(e) {
        if (!W.$('setup').hidden || e.defaultPrevented || e.altKey) return;
        if (typing(e.target)) return;
        // Controls with keys of their own (Enter on a button, a folder, a search result).
        if (e.target.closest && e.target.closest('button, a, summary, #folder-list, #search-results, #reader-attachments')) return;
        if ((e.ctrlKey || e.metaKey) && e.key !== 'Enter') return;
        const reading = W.reader.current;
        const inCompose = W.compose.isOpen && W.$('compose').contains(e.target);
        if (inCompose) return;
        const handlers = {
            j: () => W.list.move(1, false), ArrowDown: () => W.list.move(1, e.shiftKey), J: () => W.list.move(1, true),
            k: () => W.list.move(-1, false), ArrowUp: () => W.list.move(-1, e.shiftKey), K: () => W.list.move(-1, true),
            Home: () => W.list.move(-1e9, e.shiftKey), End: () => W.list.move(1e9, e.shiftKey),
            PageDown: () => W.list.move(10, e.shiftKey), PageUp: () => W.list.move(-10, e.shiftKey),
            Enter: () => W.list.openCursor(),
            Delete: () => W.list.remove(), '#': () => W.list.remove(),
            e: () => W.list.archive(), u: () => W.list.toggleRead(), s: () => W.list.toggleStar(),
            r: () => reading && W.compose.reply(reading, 'reply'),
            a: () => reading && W.compose.reply(reading, 'all'),
            f: () => reading && W.compose.reply(reading, 'forward'),
            c: () => W.compose.open(),
            '/': () => W.search.focus(),
            Escape: () => { if (!W.$('search-results-pane').hidden) W.search.close(); else if (reading) W.reader.close(); W.list.focus(); }
        };
        const fn = handlers[e.key];
        if (!fn) return;
        // Arrows and Home/End scroll the page only when the list is not focused.
        if (/^(Arrow|Page|Home|End)/.test(e.key) && e.target !== W.$('message-list') && e.target !== document.body) return;
        e.preventDefault();
        fn();
    }

    W.keys = {init: () => document.addEventListener('keydown', onKey)};
})(globalThis.Webmail);
