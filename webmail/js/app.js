// Start-up and the glue: accounts, the current folder, live updates from
// folderChanged / accountStatus / security events, mailto: prefill.
(function (W) {
    'use strict';
    W.state = {accounts: [], account: null, folder: null};
    let pendingMailto = null;

    function syncText(status) {
        if (!status) return '';
        if (status.sync === 'syncing') return 'Checking for mail…';
        if (status.sync === 'offline') return 'Offline — showing mail saved on this computer.';
        if (status.sync === 'error') return `Problem: ${status.error || 'the server could not be reached'}`;
        return '';
    }
    function renderAccountStatus() {
        const account = W.state.accounts.find((a) => a.address === W.state.account);
        W.$('account-status').textContent = account ? syncText(account.status) : '';
        renderSecurity(account && account.security);
    }

    // Issue 6: the account's key state (SecurityState) in the sidebar.
    const phaseText = {
        off: '', restoring: 'Restoring your keys from the backup…', enrolling: 'Getting your encryption certificates…',
        'backing-up': 'Backing up your keys…', ready: 'Ready to send encrypted mail', error: 'Encryption set-up failed',
        'needs-recovery-key': 'Enter your recovery key to read encrypted mail on this device'
    };
    function renderSecurity(state) {
        const box = W.$('account-security');
        if (!state || !state.phase || state.phase === 'off') { box.replaceChildren(); return; }
        box.dataset.phase = state.phase;
        box.replaceChildren(W.el('div', {}, state.phase === 'ready' ? W.icon('lock') : null, phaseText[state.phase] || state.phase));
        if (state.detail) box.append(W.el('div', {class: 'detail', text: state.detail}));
        const account = W.state.account;
        if (state.phase === 'needs-recovery-key') {
            const form = W.el('form', {class: 'recovery'},
                W.el('label', {for: 'recovery-key', text: 'Recovery key'}),
                W.el('input', {id: 'recovery-key', type: 'password', autocomplete: 'off', spellcheck: 'false'}),
                W.el('button', {type: 'submit', class: 'secondary small', text: 'Unlock'}));
            form.addEventListener('submit', async (e) => {
                e.preventDefault();
                const recoveryKey = W.$('recovery-key').value.trim();
                if (!recoveryKey) return;
                try {
                    await W.api.call('provideRecoveryKey', {account, recoveryKey});
                    W.$('recovery-key').value = '';
                } catch (err) {
                    W.status.error('The recovery key was not accepted', err);
                }
            });
            box.append(form);
        }
        if (state.phase === 'ready') {
            box.append(W.el('button', {type: 'button', class: 'secondary small', text: 'Export keys…', onclick: async () => {
                try {
                    await W.api.call('exportBackup', {account});
                    W.status.show('Your keys were saved to the downloads folder.', {transient: true});
                } catch (err) {
                    W.status.error('Could not export the keys', err);
                }
            }}));
        }
    }

    function renderAccounts() {
        const select = W.$('account-select');
        select.replaceChildren(...W.state.accounts.map((a) => W.el('option', {value: a.address, text: a.displayName ? `${a.displayName} <${a.address}>` : a.address})));
        select.value = W.state.account || '';
        select.hidden = W.state.accounts.length < 2;
        renderAccountStatus();
    }

    async function loadAccounts() {
        W.state.accounts = await W.api.call('accounts', {}) || [];
        return W.state.accounts;
    }

    async function openAccount(address) {
        W.state.account = address;
        W.state.folder = null;
        renderAccounts();
        W.reader.close();
        W.search.close();
        await W.folders.refresh();
        await openFolder('INBOX');
        W.compose.offerDrafts();
    }

    async function openFolder(name) {
        W.state.folder = name;
        const folder = W.folders.get(name);
        W.$('list-title').textContent = folder ? folder.displayName || folder.name : name;
        W.folders.render();
        W.$('app').classList.remove('folders-open');
        W.$('folders-toggle').setAttribute('aria-expanded', 'false');
        W.search.close();
        W.list.reset();
    }

    async function accountAdded(account) {
        await loadAccounts().catch(() => {});
        if (!W.state.accounts.some((a) => a.address === account.address)) W.state.accounts.push(account);
        W.setup.hide();
        await openAccount(account.address);
        W.status.show(`Added ${account.address}. Fetching your mail…`, {transient: true});
        if (pendingMailto) { W.compose.openMailto(pendingMailto); pendingMailto = null; }
        W.api.call('sync', {account: account.address}).catch((err) => W.status.error('Could not fetch mail', err, () => W.api.call('sync', {account: account.address})));
    }

    function focusList() { W.list.focus(); }

    const refreshVisible = W.debounce(() => { W.folders.refresh(); }, 100);
    function onFolderChanged(event) {
        if (event.account !== W.state.account) return;
        refreshVisible();
        if (event.folder === W.state.folder || !event.folder) W.list.invalidate();
    }
    function onAccountStatus(event) {
        const account = W.state.accounts.find((a) => a.address === event.account);
        if (account) account.status = event.status;
        if (event.account === W.state.account) {
            renderAccountStatus();
            const s = event.status || {};
            if (s.sync === 'error') {
                W.status.show(`${event.account}: ${s.error || 'the mail server could not be reached'}`,
                    {error: true, retry: () => W.api.call('sync', {account: event.account}).catch((err) => W.status.error('Could not fetch mail', err))});
            }
        }
    }
    function onSecurity(event) {
        const account = W.state.accounts.find((a) => a.address === event.account);
        if (account) account.security = event.state;
        if (event.account === W.state.account) renderAccountStatus();
    }

    async function start() {
        [W.setup, W.list, W.reader, W.compose, W.search, W.keys].forEach((part) => part.init());
        W.api.on('folderChanged', onFolderChanged);
        W.api.on('accountStatus', onAccountStatus);
        W.api.on('security', onSecurity);
        W.$('account-select').addEventListener('change', (e) => openAccount(e.target.value));
        W.$('add-account').addEventListener('click', () => W.setup.show(true));
        W.$('folders-toggle').addEventListener('click', () => {
            const open = W.$('app').classList.toggle('folders-open');
            W.$('folders-toggle').setAttribute('aria-expanded', String(open));
        });
        const mailto = new URLSearchParams(location.search).get('mailto');
        try {
            await loadAccounts();
        } catch (err) {
            document.documentElement.dataset.webmail = 'error';
            W.setup.hide();
            W.status.error('The mail service is not available', err, () => location.reload());
            return;
        }
        document.documentElement.dataset.webmail = 'ready';
        if (!W.state.accounts.length) {
            W.setup.show(false);
        } else {
            W.setup.hide();
            await openAccount(W.state.accounts[0].address);
            W.list.focus();
        }
        if (mailto && W.state.accounts.length) W.compose.openMailto(mailto);
        else if (mailto) pendingMailto = mailto;  // opened once the first account is added
    }

    W.app = {openFolder, openAccount, accountAdded, focusList};
    W.onReady(() => { start().catch((err) => { console.error(err); W.status.error('The webmail failed to start', err); }); });
})(globalThis.Webmail);
