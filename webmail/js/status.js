// The status bar: what is going on, and errors in plain words with a Retry.
(function (W) {
    'use strict';
    let clearTimer = null;

    function show(text, options) {
        const bar = W.$('status-bar');
        const opts = options || {};
        clearTimeout(clearTimer);
        bar.classList.toggle('error', !!opts.error);
        W.$('status-text').textContent = text || '';
        W.$('status-text').title = text || '';
        const retry = W.$('status-retry');
        retry.hidden = !opts.retry;
        retry.onclick = opts.retry ? () => { clear(); opts.retry(); } : null;
        const action = W.$('status-action');
        action.hidden = !opts.action;
        if (opts.action) {
            action.textContent = opts.action.label;
            action.onclick = () => { clear(); opts.action.run(); };
        }
        if (opts.transient) clearTimer = setTimeout(clear, 6000);
    }
    function clear() { show(''); }

    // Shows an ApiError (or any error) plainly; `retry` re-runs what failed.
    function error(what, err, retry) {
        const text = (what ? what + ': ' : '') + (err instanceof W.ApiError ? W.api.describe(err) : (err && err.message) || String(err));
        show(text, {error: true, retry});
        return text;
    }

    W.status = {show, clear, error};
})(globalThis.Webmail);
