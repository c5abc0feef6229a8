// Placeholder webmail (the "webmail" helper replaces webmail/): lists the
// accounts through the `mail` bridge object, to prove the wiring. Runs in
// ApplicationWorld; bridge_bootstrap.js hands over the channel's objects
// through window.cachetOnBridge (or window.cachet when it came first).
(function () {
    'use strict';
    function start(objects) {
        if (!objects.mail) return;
        objects.mail.accounts('{}', function (answer) {
            const list = document.getElementById('account-list');
            const parsed = JSON.parse(answer);
            for (const account of parsed.result || []) {
                const item = document.createElement('li');
                item.textContent = account.address;
                list.appendChild(item);
            }
            const mailto = new URLSearchParams(location.search).get('mailto');
            if (mailto) document.getElementById('status-bar').textContent = 'compose: ' + mailto;
            document.documentElement.dataset.webmail = 'ready';
        });
    }
    if (window.cachet) start(window.cachet);
    else window.cachetOnBridge = start;
})();
