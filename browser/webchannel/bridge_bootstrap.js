// Runs in QWebEngineScript::ApplicationWorld of every page, and does
// something only on internal pages, where the shell installs the channel.
// The page's own scripts (main world) share the DOM but not this global scope.
(function () {
    'use strict';
    if (location.protocol !== 'cachet:' || typeof qt === 'undefined' || !qt.webChannelTransport) {
        return;
    }
    new QWebChannel(qt.webChannelTransport, function (channel) {
        window.cachet = channel.objects;
        // The webmail bundle (injected on cachet:mail) waits for the objects here.
        if (typeof window.cachetOnBridge === 'function') window.cachetOnBridge(channel.objects);
        channel.objects.version.version(function (version) {
            const status = document.getElementById('bridge-status');
            if (status) status.textContent = 'connected';
            const shown = document.getElementById('cachet-version');
            if (shown) shown.textContent = version;
            document.documentElement.dataset.bridge = 'ready';
        });
    });
})();
