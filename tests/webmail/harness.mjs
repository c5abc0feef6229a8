// Drives the built webmail (index.html + bundle.js from the build tree) in
// Debian's chromium through playwright-core. The bundle and the fake bridge
// are injected into an isolated world (CDP worldName), as the browser does
// with ApplicationWorld: the page's own world never sees them. A loopback
// HTTP server serves the page; a second one records every request made to it
// (the "hit" server of the HTML safety test).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);
const {chromium} = require('playwright-core');

export const WORLD = 'cachet-webmail';
const resources = process.env.CACHET_WEBMAIL_RESOURCES;
if (!resources) throw new Error('CACHET_WEBMAIL_RESOURCES (the built webmail resources) is not set');
export const screenshotDir = process.env.CACHET_SCREENSHOTS || path.join(process.cwd(), 'screenshots');
fs.mkdirSync(screenshotDir, {recursive: true});

function listen(handler) {
    return new Promise((resolve) => {
        const server = http.createServer(handler);
        server.listen(0, '127.0.0.1', () => resolve(server));
    });
}

// Records every request; answers 404 so nothing it says can matter.
export async function startHitServer() {
    const hits = [];
    const server = await listen((req, res) => {
        hits.push(`${req.method} ${req.url}`);
        res.writeHead(404, {'Content-Type': 'text/plain'});
        res.end('no');
    });
    return {hits, base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r))};
}

export async function startPageServer() {
    const page = fs.readFileSync(path.join(resources, 'index.html'));
    const server = await listen((req, res) => {
        if (req.url.startsWith('/mail')) {
            res.writeHead(200, {'Content-Type': 'text/html; charset=utf-8'});
            res.end(page);
        } else {
            res.writeHead(404);
            res.end();
        }
    });
    return {url: `http://127.0.0.1:${server.address().port}/mail`, close: () => new Promise((r) => server.close(r))};
}

export async function launch() {
    return chromium.launch({
        executablePath: process.env.CACHET_CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
               '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']
    });
}

const openContexts = new Set();
// Closes what a failed test left open.
export async function closeAllMail() {
    for (const c of [...openContexts]) await c.close().catch(() => {});
    openContexts.clear();
}

// A page with the fake bridge (configured by `config`) and the bundle in the
// isolated world. Returns helpers: `world(fn, arg)` runs fn in that world.
export async function openMail(browser, server, config, options) {
    const opts = options || {};
    const context = await browser.newContext({
        viewport: opts.viewport || {width: 1280, height: 800},
        deviceScaleFactor: opts.deviceScaleFactor || 1,
        colorScheme: opts.colorScheme || 'light',
        reducedMotion: 'reduce'
    });
    openContexts.add(context);
    context.setDefaultTimeout(20000);  // a loaded 2-core CI machine
    const page = await context.newPage();
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Page.enable');
    await cdp.send('Runtime.enable');
    const {frameTree} = await cdp.send('Page.getFrameTree');
    const mainFrame = frameTree.frame.id;
    let contextId = null;
    let contextWaiters = [];
    cdp.on('Runtime.executionContextCreated', ({context: c}) => {
        if (c.name === WORLD && c.auxData && c.auxData.frameId === mainFrame) {
            contextId = c.id;
            contextWaiters.forEach((w) => w());
            contextWaiters = [];
        }
    });
    cdp.on('Runtime.executionContextsCleared', () => { contextId = null; });
    const fake = fs.readFileSync(new URL('./fake_bridge.js', import.meta.url), 'utf8');
    const bundle = fs.readFileSync(path.join(resources, 'bundle.js'), 'utf8');
    const source = `if (window === window.top) { globalThis.__fakeConfig = ${JSON.stringify(config || {})};\n${fake}\n${bundle}\n}`;
    await cdp.send('Page.addScriptToEvaluateOnNewDocument', {source, worldName: WORLD});

    async function world(fn, arg) {
        if (contextId === null) await new Promise((r) => contextWaiters.push(r));
        const expression = `(${fn.toString()})(${JSON.stringify(arg === undefined ? null : arg)})`;
        const answer = await cdp.send('Runtime.evaluate', {expression, contextId, awaitPromise: true, returnByValue: true});
        if (answer.exceptionDetails) throw new Error(`in the webmail world: ${answer.exceptionDetails.exception ? answer.exceptionDetails.exception.description : answer.exceptionDetails.text}`);
        return answer.result.value;
    }
    async function calls(method) { return world((m) => globalThis.cachet.mail.__calls(m), method); }

    await page.goto(server.url + (opts.query || ''));
    await page.waitForFunction(() => document.documentElement.dataset.webmail === 'ready');
    return {page, context, world, calls, dialogs, errors, close: () => { openContexts.delete(context); return context.close(); }};
}

// Polls `fn` until it returns a truthy value or the deadline passes.
export async function until(fn, what, timeoutMs) {
    const deadline = Date.now() + (timeoutMs || 20000);
    let last;
    for (;;) {
        last = await fn();
        if (last) return last;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setImmediate(r));
    }
}

export async function screenshot(page, name) {
    const file = path.join(screenshotDir, `${name}.png`);
    await page.screenshot({path: file});
    return file;
}
