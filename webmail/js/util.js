// The webmail's shared namespace and small helpers. Every file of the bundle
// is one IIFE adding to `Webmail`: the bundle is injected into the page's
// ApplicationWorld as one classic script (no ES modules there).
(function (global) {
    'use strict';
    const W = global.Webmail = global.Webmail || {};

    W.$ = (id) => document.getElementById(id);

    // Builds an element: el('li', {class: 'x', dataset: {uid: 3}}, 'text', child...).
    W.el = function (tag, attrs, ...children) {
        const node = document.createElement(tag);
        for (const [key, value] of Object.entries(attrs || {})) {
            if (value === undefined || value === null || value === false) continue;
            if (key === 'class') node.className = value;
            else if (key === 'dataset') Object.assign(node.dataset, value);
            else if (key === 'text') node.textContent = value;
            else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
            else node.setAttribute(key, value === true ? '' : String(value));
        }
        for (const child of children) {
            if (child === null || child === undefined || child === false) continue;
            node.append(child instanceof Node ? child : String(child));
        }
        return node;
    };

    // Small line icons (24×24 paths), drawn inline: no font has them all.
    const ICONS = {
        lock: 'M7 11V8a5 5 0 0 1 10 0v3M5 11h14v10H5z',
        clip: 'M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7',
        trash: 'M4 7h16M9 7V4h6v3M6 7l1 14h10l1-14M10 11v6M14 11v6',
        archive: 'M3 4h18v4H3zM5 8v12h14V8M10 12h4',
        mail: 'M3 5h18v14H3zM3 6l9 7 9-7',
        check: 'M4 12l5 5L20 6',
        clock: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M12 7v5l3 3',
        warn: 'M12 3l10 18H2zM12 10v5M12 18v.5'
    };
    W.icon = function (name, label) {
        const ns = 'http://www.w3.org/2000/svg';
        const svg = document.createElementNS(ns, 'svg');
        svg.setAttribute('viewBox', '0 0 24 24');
        svg.setAttribute('class', `icon-svg icon-${name}`);
        if (label) { svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', label); } else svg.setAttribute('aria-hidden', 'true');
        const path = document.createElementNS(ns, 'path');
        path.setAttribute('d', ICONS[name] || '');
        svg.append(path);
        return svg;
    };

    W.escapeHtml = (text) => String(text).replace(/[&<>"']/g,
        (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));

    W.formatSize = function (bytes) {
        if (!(bytes >= 0)) return '';
        if (bytes < 1024) return bytes + ' B';
        if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + ' KB';
        return (bytes / (1024 * 1024)).toFixed(1) + ' MB';
    };

    // Dates arrive as Unix seconds, milliseconds or an ISO/RFC 5322 string.
    W.toDate = function (value) {
        if (value === undefined || value === null || value === '') return null;
        const d = typeof value === 'number' ? new Date(value < 1e11 ? value * 1000 : value) : new Date(value);
        return isNaN(d.getTime()) ? null : d;
    };
    W.formatListDate = function (value) {
        const d = W.toDate(value);
        if (!d) return '';
        const now = new Date();
        if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString(undefined, {hour: '2-digit', minute: '2-digit'});
        if (d.getFullYear() === now.getFullYear()) return d.toLocaleDateString(undefined, {month: 'short', day: 'numeric'});
        return d.toLocaleDateString();
    };
    W.formatFullDate = function (value) {
        const d = W.toDate(value);
        return d ? d.toLocaleString() : String(value || '');
    };

    // "Name <addr>" or {name, address} → display text.
    W.addressText = function (value) {
        if (!value) return '';
        if (Array.isArray(value)) return value.map(W.addressText).join(', ');
        if (typeof value === 'object') return value.name ? `${value.name} <${value.address}>` : (value.address || '');
        return String(value);
    };
    // The name alone when there is one ("Bob Example <bob@x>" → "Bob Example").
    W.displayName = function (value) {
        if (value && typeof value === 'object' && !Array.isArray(value)) return value.name || value.address || '';
        const text = W.addressText(value);
        const m = /^\s*"?([^"<]*?)"?\s*<[^>]+>\s*$/.exec(text);
        return m && m[1] ? m[1] : text;
    };
    W.addressList = function (value) {
        if (!value) return [];
        if (Array.isArray(value)) return value.flatMap(W.addressList);
        if (typeof value === 'object') return value.address ? [value.address] : [];
        return W.splitAddresses(String(value));
    };
    // Splits "A <a@x>, b@y" into bare addresses.
    W.splitAddresses = function (text) {
        const out = [];
        for (const part of String(text).split(/[,;](?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
            const angle = part.match(/<([^>]+)>/);
            const bare = (angle ? angle[1] : part).trim();
            if (bare) out.push(bare);
        }
        return out;
    };
    W.isAddress = (text) => /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/.test(text);

    W.hasFlag = (item, flag) => Array.isArray(item.flags) && item.flags.includes(flag);

    W.debounce = function (fn, ms) {
        let timer = null;
        const wrapped = (...args) => { clearTimeout(timer); timer = setTimeout(() => { timer = null; fn(...args); }, ms); };
        wrapped.flush = () => { if (timer) { clearTimeout(timer); timer = null; fn(); } };
        wrapped.cancel = () => { clearTimeout(timer); timer = null; };
        return wrapped;
    };

    // Runs `fn` once the DOM is parsed: the bundle may be injected at document creation.
    W.onReady = function (fn) {
        if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn, {once: true});
        else fn();
    };
})(typeof globalThis !== 'undefined' ? globalThis : window);
