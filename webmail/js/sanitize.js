// Mail HTML → a srcdoc document for the reader's sandboxed frame. Three locks:
// DOMPurify removes scripts, handlers, forms and dangerous URLs; the frame's
// own CSP (inside the srcdoc, and the page's, which a srcdoc frame inherits)
// loads nothing but data: images (and remote images only when allowed); the
// sandbox has no allow-scripts, allow-forms or allow-same-origin.
(function (W) {
    'use strict';

    const FORBID_TAGS = ['form', 'input', 'button', 'select', 'option', 'textarea', 'meta', 'base', 'link',
                         'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'script', 'noscript',
                         'audio', 'video', 'source', 'track', 'portal', 'svg', 'math', 'template', 'dialog'];
    const FORBID_ATTR = ['action', 'formaction', 'ping', 'srcset', 'background', 'poster', 'lowsrc', 'dynsrc',
                         'http-equiv', 'target', 'autofocus', 'srcdoc', 'xlink:href'];
    const REMOTE = /^\s*(?:https?:)?\/\//i;
    const CSS_URL = /url\s*\(|@import|expression\s*\(|image-set\s*\(|-moz-binding|behavior\s*:/i;

    // Every url(...) in a CSS text that is not a data: URL (or, when allowed,
    // a remote http(s) one) is replaced, so nothing is asked for even if the
    // CSP ever failed. @import goes always.
    function cleanCss(css, allowRemote, stats) {
        let text = String(css).replace(/@import[^;]*;?/gi, () => { stats.blocked++; return ''; });
        text = text.replace(/url\s*\(\s*(['"]?)(.*?)\1\s*\)/gi, (match, quote, url) => {
            const u = url.trim();
            if (/^data:image\//i.test(u)) return match;
            if (allowRemote && /^https?:\/\//i.test(u)) return match;
            stats.blocked++;
            return 'none';
        });
        return text.replace(/expression\s*\(|-moz-binding|behavior\s*:|image-set\s*\(/gi, () => { stats.blocked++; return 'x-blocked('; });
    }

    function sanitize(html, options) {
        const opts = options || {};
        const stats = {blocked: 0};
        const purify = globalThis.DOMPurify;
        if (!purify || !purify.isSupported) throw new Error('DOMPurify is missing from the webmail bundle.');
        purify.removeAllHooks();
        purify.addHook('uponSanitizeElement', (node, data) => {
            if (data.tagName === 'style' && node.textContent && CSS_URL.test(node.textContent)) {
                node.textContent = cleanCss(node.textContent, opts.allowRemote, stats);
            }
        });
        purify.addHook('afterSanitizeAttributes', (node) => {
            if (node.hasAttribute('style') && CSS_URL.test(node.getAttribute('style'))) {
                node.setAttribute('style', cleanCss(node.getAttribute('style'), opts.allowRemote, stats));
            }
            if (node.tagName === 'IMG') {
                const src = node.getAttribute('src') || '';
                if (/^cid:/i.test(src)) {
                    const id = src.slice(4).replace(/^<|>$/g, '');
                    const data = opts.inlineImages && (opts.inlineImages[id] || opts.inlineImages[`<${id}>`]);
                    if (data && /^data:image\//i.test(data)) node.setAttribute('src', data);
                    else node.removeAttribute('src');
                } else if (REMOTE.test(src) && !opts.allowRemote) {
                    node.removeAttribute('src');
                    node.setAttribute('alt', node.getAttribute('alt') || '[image blocked]');
                    stats.blocked++;
                } else if (src && !/^data:image\//i.test(src) && !REMOTE.test(src)) {
                    node.removeAttribute('src');
                }
            }
            if (node.tagName === 'A' && node.hasAttribute('href')) {
                node.setAttribute('rel', 'noopener noreferrer');
            }
        });
        const clean = purify.sanitize(String(html || ''), {
            USE_PROFILES: {html: true},
            // Style sheets only inside the reader's frame: in compose (the
            // page itself) a <style> would restyle the whole webmail.
            FORBID_TAGS: opts.inPage ? [...FORBID_TAGS, 'style'] : FORBID_TAGS,
            FORBID_ATTR,
            ADD_TAGS: opts.inPage ? [] : ['style'],
            ALLOW_DATA_ATTR: false,
            WHOLE_DOCUMENT: false,
            FORCE_BODY: true,
            SANITIZE_NAMED_PROPS: true
        });
        purify.removeAllHooks();
        return {html: clean, blockedRemote: stats.blocked};
    }

    function policy(allowRemote) {
        return "default-src 'none'; style-src 'unsafe-inline'; img-src data:" + (allowRemote ? ' https: http:' : '') +
               "; form-action 'none'; base-uri 'none'";
    }

    const BASE_STYLE = 'html{color-scheme:light}body{margin:0;padding:12px;font:15px/1.5 system-ui,"DejaVu Sans",sans-serif;' +
                       'color:#1d2127;background:#fff;overflow-wrap:anywhere}img{max-width:100%;height:auto}' +
                       'pre.plain{white-space:pre-wrap;font:14px/1.5 "DejaVu Sans Mono",monospace;margin:0}' +
                       'blockquote{margin:0 0 0 .5em;padding-left:.75em;border-left:3px solid #c8ccd2;color:#4a515c}';

    function documentFor(body, allowRemote) {
        return '<!DOCTYPE html><html><head><meta charset="utf-8">' +
               `<meta http-equiv="Content-Security-Policy" content="${policy(allowRemote)}">` +
               '<meta name="referrer" content="no-referrer">' +
               '<base target="_blank">' +
               `<style>${BASE_STYLE}</style></head><body>${body}</body></html>`;
    }

    function htmlDocument(html, options) {
        const result = sanitize(html, options);
        return {srcdoc: documentFor(result.html, !!(options && options.allowRemote)), blockedRemote: result.blockedRemote};
    }
    function textDocument(text) {
        return documentFor(`<pre class="plain">${W.escapeHtml(text || '')}</pre>`, false);
    }

    W.sanitize = {htmlDocument, textDocument, sanitize, policy};
})(globalThis.Webmail);
