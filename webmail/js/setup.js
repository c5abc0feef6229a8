// First run (and "Add account"): address + password; the server settings come
// from discover() and are shown; "Server settings" overrides them by hand.
(function (W) {
    'use strict';
    let discovered = null;      // the last discover() answer
    let discoveredFor = '';     // for which address
    let busy = false;

    function field(id) { return W.$(id).value.trim(); }

    function fillManual(settings) {
        for (const side of ['imap', 'smtp']) {
            const s = settings && settings[side];
            if (!s) continue;
            W.$(`setup-${side}-host`).value = s.host || '';
            W.$(`setup-${side}-port`).value = s.port || '';
            W.$(`setup-${side}-security`).value = s.security === 'starttls' ? 'starttls' : 'tls';
        }
    }
    function manualSettings() {
        const read = (side) => ({
            host: field(`setup-${side}-host`),
            port: Number(field(`setup-${side}-port`)),
            security: W.$(`setup-${side}-security`).value
        });
        return {imap: read('imap'), smtp: read('smtp')};
    }
    function manualEdited() {
        if (!discovered) return true;
        const m = manualSettings();
        return ['imap', 'smtp'].some((side) => !discovered[side] || m[side].host !== discovered[side].host ||
            m[side].port !== Number(discovered[side].port) || m[side].security !== (discovered[side].security === 'starttls' ? 'starttls' : 'tls'));
    }
    function describeSettings(s) {
        const side = (x) => x ? `${x.host}:${x.port} (${x.security === 'starttls' ? 'STARTTLS' : 'TLS'})` : 'unknown';
        const source = {autoconfig: 'your provider’s autoconfig', srv: 'DNS SRV records', guess: 'a guess from common names'}[s.source] || s.source;
        return `Found settings from ${source}: incoming ${side(s.imap)}, outgoing ${side(s.smtp)}.`;
    }

    function setError(text) { W.$('setup-error').textContent = text || ''; }

    async function discover(address) {
        if (discovered && discoveredFor === address) return discovered;
        W.$('setup-discovery').textContent = 'Looking up the server settings…';
        try {
            discovered = await W.api.call('discover', {address});
            discoveredFor = address;
            fillManual(discovered);
            W.$('setup-discovery').textContent = describeSettings(discovered);
            return discovered;
        } catch (err) {
            discovered = null;
            discoveredFor = address;
            W.$('setup-discovery').textContent = '';
            W.$('setup-manual').open = true;
            throw err;
        }
    }

    async function submit(event) {
        event.preventDefault();
        if (busy) return;
        const address = field('setup-address');
        const password = W.$('setup-password').value;
        setError('');
        if (!W.isAddress(address)) { setError('Enter your full email address, like name@example.com.'); W.$('setup-address').focus(); return; }
        if (!password) { setError('Enter your password.'); W.$('setup-password').focus(); return; }
        busy = true;
        W.$('setup-submit').disabled = true;
        try {
            const manualOpen = W.$('setup-manual').open;
            if (!(manualOpen && field('setup-imap-host') && field('setup-smtp-host'))) {
                try {
                    await discover(address);
                } catch (err) {
                    setError('Cachet could not find the server settings for this address. Enter them under “Server settings”. ' +
                             `(${W.api.describe(err)})`);
                    return;
                }
            }
            const params = {address, password, displayName: field('setup-name')};
            if (manualEdited()) {
                const manual = manualSettings();
                const bad = ['imap', 'smtp'].find((side) => !manual[side].host || !(manual[side].port >= 1 && manual[side].port <= 65535));
                if (bad) {
                    setError(`Enter the ${bad === 'imap' ? 'incoming' : 'outgoing'} server’s name and a port from 1 to 65535.`);
                    W.$(`setup-${bad}-host`).focus();
                    return;
                }
                Object.assign(params, manual);
            }
            W.$('setup-discovery').textContent = 'Signing in…';
            const account = await W.api.call('addAccount', params);
            W.$('setup-password').value = '';
            W.$('setup-discovery').textContent = '';
            discovered = null;
            await W.app.accountAdded(account);
        } catch (err) {
            W.$('setup-discovery').textContent = discovered ? describeSettings(discovered) : '';
            setError(W.api.describe(err));
        } finally {
            busy = false;
            W.$('setup-submit').disabled = false;
        }
    }

    function show(canCancel) {
        W.$('app').hidden = true;
        W.$('setup').hidden = false;
        W.$('setup-cancel').hidden = !canCancel;
        setError('');
        W.$('setup-address').focus();
    }
    function hide() { W.$('setup').hidden = true; W.$('app').hidden = false; }

    function init() {
        W.$('setup-form').addEventListener('submit', submit);
        W.$('setup-cancel').addEventListener('click', () => { hide(); W.app.focusList(); });
        W.$('setup-address').addEventListener('change', () => {
            const address = field('setup-address');
            if (W.isAddress(address)) discover(address).catch(() => {});
        });
    }

    W.setup = {init, show, hide};
})(globalThis.Webmail);
