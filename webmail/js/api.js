// Promise wrapper over the QWebChannel `mail` object (docs/webmail-bridge.md).
// Quick calls answer {"result"}; slow ones {"request": id} now and a "reply"
// event later, which the event pump matches to the waiting promise.
(function (W) {
    'use strict';

    class ApiError extends Error {
        constructor(code, message) {
            super(message || code);
            this.code = code || 'internal';
        }
    }
    W.ApiError = ApiError;

    let mail = null;
    let bridgeWaiters = [];
    const pending = new Map();   // request id → {resolve, reject}
    const early = new Map();     // replies that came before their request id was seen
    const listeners = new Map(); // event type → [fn]

    function findBridge() {
        const objects = globalThis.cachet;
        return objects && objects.mail ? objects.mail : null;
    }

    function attach(found) {
        mail = found;
        if (mail.eventsReady && typeof mail.eventsReady.connect === 'function') mail.eventsReady.connect(pump);
        const waiters = bridgeWaiters;
        bridgeWaiters = [];
        waiters.forEach((resolve) => resolve(mail));
        pump();  // events queued before we connected
    }

    // The browser's bootstrap sets `cachet` (the channel's objects) and then
    // marks <html data-bridge="ready">; the bundle may run before or after it.
    function bridge() {
        if (mail) return Promise.resolve(mail);
        const found = findBridge();
        if (found) { attach(found); return Promise.resolve(mail); }
        return new Promise((resolve) => {
            bridgeWaiters.push(resolve);
            if (bridgeWaiters.length > 1) return;
            const observer = new MutationObserver(() => {
                const now = findBridge();
                if (now && !mail) { observer.disconnect(); attach(now); }
            });
            observer.observe(document.documentElement, {attributes: true, attributeFilter: ['data-bridge']});
        });
    }

    function invoke(method, params) {
        return new Promise((resolve, reject) => {
            if (typeof mail[method] !== 'function') {
                reject(new ApiError('internal', `The mail service has no "${method}".`));
                return;
            }
            mail[method](JSON.stringify(params || {}), resolve);
        });
    }

    function parse(text) {
        try {
            return typeof text === 'string' ? JSON.parse(text) : text;
        } catch (e) {
            throw new ApiError('internal', 'The mail service gave an unreadable answer.');
        }
    }

    async function call(method, params) {
        await bridge();
        const answer = parse(await invoke(method, params));
        if (!answer || typeof answer !== 'object') throw new ApiError('internal', 'The mail service gave no answer.');
        if (answer.error) throw new ApiError(answer.error.code, answer.error.message);
        if (Object.prototype.hasOwnProperty.call(answer, 'request')) {
            const id = String(answer.request);
            return new Promise((resolve, reject) => {
                if (early.has(id)) {
                    settle({resolve, reject}, early.get(id));
                    early.delete(id);
                } else {
                    pending.set(id, {resolve, reject});
                }
            });
        }
        return answer.result;
    }

    function settle(waiter, event) {
        if (event.error) waiter.reject(new ApiError(event.error.code, event.error.message));
        else waiter.resolve(event.result);
    }

    let pumping = false;
    let again = false;
    async function pump() {
        if (!mail) return;
        if (pumping) { again = true; return; }
        pumping = true;
        try {
            do {
                again = false;
                let events = [];
                try {
                    events = parse(await invoke('takeEvents', {}));
                } catch (e) {
                    break;
                }
                for (const event of (events && events.result) || []) dispatch(event);
            } while (again);
        } finally {
            pumping = false;
        }
    }

    function dispatch(event) {
        if (!event || typeof event !== 'object') return;
        if (event.type === 'reply') {
            const id = String(event.request);
            const waiter = pending.get(id);
            if (waiter) { pending.delete(id); settle(waiter, event); } else early.set(id, event);
            return;
        }
        for (const fn of listeners.get(event.type) || []) {
            try { fn(event); } catch (e) { console.error('webmail: event handler failed', e); }
        }
    }

    function on(type, fn) {
        if (!listeners.has(type)) listeners.set(type, []);
        listeners.get(type).push(fn);
    }

    // Plain words for the contract's error codes.
    const messages = {
        refused: 'This page may not use the mail service.',
        'bad-request': 'The request was not understood.',
        auth: 'The server did not accept the address or password.',
        unreachable: 'The mail server cannot be reached. Check your connection.',
        tls: 'The server’s security certificate is not valid, so Cachet did not connect.',
        'not-found': 'It was not found. It may have been moved or deleted.',
        uncertain: 'The connection broke at the very end of sending: the message may have been sent. It was not sent again; check Sent or the recipient before retrying.',
        rejected: 'The server refused the message.',
        internal: 'Something went wrong inside Cachet.'
    };
    function describe(error) {
        if (!error) return '';
        const plain = messages[error.code] || messages.internal;
        const detail = error.message && error.message !== error.code ? error.message : '';
        return detail && !plain.includes(detail) ? `${plain} (${detail})` : plain;
    }

    W.api = {call, on, bridge, describe, pump};
})(globalThis.Webmail);
