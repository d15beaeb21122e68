// Drives archmap's interactive HTML in Debian's headless Chromium through playwright-core.
//
//   node run.mjs explore PAGE.html [SCREENSHOT.png]   interactions on a generated page
//   node run.mjs hostile PAGE.html                    no payload of a hostile manifest runs
//   node run.mjs serve URL MANIFEST                   live preview: edit, break, fix
//   node run.mjs perf PAGE.html                       first paint and frame time while panning
//
// Every mode fails on a console error, an uncaught exception, a dialog, or a request that
// leaves the page's own file or server. Prints one JSON line of results; exits 1 on failure.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { request } from 'node:http';

const CHROMIUM = process.env.ARCHMAP_CHROMIUM || '/usr/bin/chromium';
const [mode, target, extra] = process.argv.slice(2);

function fail(message) {
  throw new Error(message);
}
function check(cond, message) {
  if (!cond) fail(message);
}

// Playwright starts Chromium with a fresh, empty profile of its own (a new --user-data-dir).
async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'archmap-browser-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return { browser, profile };
}

// A page that records problems: console errors, exceptions, dialogs, foreign requests.
async function open(browser, url, allowed, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss().catch(() => {}); });
  await context.route('**/*', (route) => {
    const u = route.request().url();
    requests.push(u);
    if (allowed(u)) return route.continue();
    problems.push(`network request: ${u}`);
    return route.abort();
  });
  await page.goto(url, { timeout: 120000 });
  await page.waitForSelector('body[data-ready="1"]', { timeout: 120000 });
  return { context, page, problems, requests };
}

const onlyFile = (file) => (u) => u.split('#')[0] === pathToFileURL(file).href;

// The page's own data, read back from its JSON island.
const island = (page) => page.evaluate(() => JSON.parse(document.getElementById('am-data').textContent));

// What a click on node `start` of view `v` must light up: computed here from the data, not by
// the page's code.
function reach(v, start, depth, dir) {
  const seen = new Set([start]);
  const walk = (forward) => {
    let front = [start];
    for (let d = 0; d < depth; d++) {
      const next = [];
      for (const j of front) {
        for (const [a, b] of v.edges) {
          const [from, to] = forward ? [a, b] : [b, a];
          if (from === j && !seen.has(to)) { seen.add(to); next.push(to); }
        }
      }
      front = next;
    }
  };
  if (dir !== 'up') walk(true);
  if (dir !== 'down') walk(false);
  return [...seen].sort((x, y) => x - y);
}

// Indices (scene order) of the stage's boxes with class `cls`.
const classed = (page, cls) => page.evaluate((c) => {
  const svg = document.querySelector('#am-stage svg');
  const nodes = [...svg.querySelectorAll(':scope > g.node, :scope > a > g.node')];
  return nodes.map((n, i) => (n.classList.contains(c) ? i : -1)).filter((i) => i >= 0);
}, cls);

const transform = (page) => page.evaluate(() => document.getElementById('am-stage').style.transform);

async function nodeAt(page, j) {
  return page.locator('#am-stage svg').locator(':scope > g.node, :scope > a > g.node').nth(j);
}

async function explore(file, shot) {
  const { browser, profile } = await launch();
  const results = {};
  try {
    const { page, problems } = await open(browser, pathToFileURL(file).href, onlyFile(file));
    const data = await island(page);
    const sys = data.views[0];
    check(sys.nodes.length > 0, 'the system view has boxes');
    const drawn = await page.evaluate(() => document.querySelectorAll('#am-stage svg :is(g.node)').length);
    check(drawn >= sys.nodes.length, `the system SVG is on the stage (${drawn} boxes)`);

    // Click the box with the most lines; its neighbourhood lights up, the rest dims.
    const degree = sys.nodes.map((_, j) => sys.edges.filter(([a, b]) => a === j || b === j).length);
    const hub = degree.indexOf(Math.max(...degree));
    await (await nodeAt(page, hub)).click();
    check(await page.evaluate(() => document.getElementById('am-stage').classList.contains('am-dim')), 'a click dims the diagram');
    const lit = await classed(page, 'am-on');
    const expected = reach(sys, hub, 1, 'both');
    check(JSON.stringify(lit) === JSON.stringify(expected), `lit ${JSON.stringify(lit)}, expected ${JSON.stringify(expected)}`);
    const dimmed = sys.nodes.length - lit.length;
    const panel = await page.textContent('#am-details');
    const comp = data.components.find((c) => c.id === sys.nodes[hub]);
    check(panel.includes(comp.label) && panel.includes(comp.kind), 'the side panel shows the component');
    check((await page.evaluate(() => location.hash)).includes(`component=${encodeURIComponent(comp.id)}`), 'the address links to the selection');
    results.clicked = { id: comp.id, lit: lit.length, dimmed };

    // Depth 2, dependencies only.
    await page.selectOption('#am-dir', 'down');
    await page.fill('#am-depth', '2');
    await page.dispatchEvent('#am-depth', 'change');
    const down = await classed(page, 'am-on');
    check(JSON.stringify(down) === JSON.stringify(reach(sys, hub, 2, 'down')), 'depth 2 downwards lights what the component depends on');
    await page.keyboard.press('Escape');
    await page.selectOption('#am-dir', 'both');
    await page.fill('#am-depth', '1');
    await page.dispatchEvent('#am-depth', 'change');
    await page.locator('#am-viewport').click({ position: { x: 3, y: 3 } });
    check(!(await page.evaluate(() => document.getElementById('am-stage').classList.contains('am-dim'))), 'a click on the background clears the selection');

    // Search by a word of a label: every box whose id, label, tag or owner holds it is outlined.
    const word = comp.label.split(/\s+/)[0].toLowerCase();
    await page.keyboard.press('/');
    await page.keyboard.type(word);
    const matches = await classed(page, 'am-match');
    const want = sys.nodes.map((id, j) => {
      const c = data.components.find((x) => x.id === id);
      const hay = [id, c?.label, c?.owner, ...(c?.tags || [])].filter(Boolean).join('\n').toLowerCase();
      return hay.includes(word) ? j : -1;
    }).filter((j) => j >= 0);
    check(JSON.stringify(matches) === JSON.stringify(want), `search "${word}" matched ${JSON.stringify(matches)}, expected ${JSON.stringify(want)}`);
    await page.keyboard.press('Enter');
    const first = await classed(page, 'am-cur');
    check(first.length === 1 && first[0] === want[0], 'Enter goes to the first match');
    if (want.length > 1) {
      await page.keyboard.press('Enter');
      check((await classed(page, 'am-cur'))[0] === want[1], 'Enter again cycles to the next match');
    }
    results.search = { word, matches: want.length };
    await page.keyboard.press('Escape');

    // Follow a finding with subjects: they get selected and brought into view.
    const isComp = (s) => data.components.some((c) => c.id === s);
    const fi = data.findings.findIndex((f) => f.subjects.length > 0 && f.subjects.every(isComp));
    if (fi >= 0) {
      const before = await transform(page);
      await page.click(`#am-findings button[data-finding="${fi}"]`);
      const sel = await classed(page, 'am-sel');
      const v = data.views[await page.evaluate(() => parseInt(document.getElementById('am-view').value, 10))];
      const subjects = data.findings[fi].subjects.filter((s) => v.nodes.includes(s));
      check(sel.length === subjects.length && sel.every((j) => subjects.includes(v.nodes[j])), `a finding selects its subjects: ${JSON.stringify(sel)} vs ${JSON.stringify(subjects)} finding ${JSON.stringify(data.findings[fi])}`);
      await page.waitForFunction((t) => document.getElementById('am-stage').style.transform !== t, before, { timeout: 5000 })
        .catch(() => fail('a finding zooms to its subjects'));
      results.finding = data.findings[fi].code;
      await page.keyboard.press('Escape');
    }

    // Switch views: the stage shows the view's drawing.
    if (data.views.length > 1) {
      await page.selectOption('#am-view', '1');
      const n = await page.evaluate(() => document.querySelectorAll('#am-stage svg > g.node, #am-stage svg > a > g.node').length);
      check(n === data.views[1].nodes.length, `view ${data.views[1].id} shows its ${data.views[1].nodes.length} boxes (${n})`);
      check((await page.evaluate(() => location.hash)).includes(`view=${encodeURIComponent(data.views[1].id)}`), 'the address names the view');
      results.view = data.views[1].id;
      await page.selectOption('#am-view', '0');
    }

    // Theme: auto follows the reader; the button cycles light, dark, auto.
    const bg = () => page.evaluate(() => getComputedStyle(document.querySelector('#am-stage svg .background')).fill);
    const light = await bg();
    await page.click('#am-theme'); // light
    await page.click('#am-theme'); // dark
    check(await page.evaluate(() => document.documentElement.classList.contains('am-dark')), 'dark theme set');
    const dark = await bg();
    check(light !== dark, `the drawing's background changes with the theme (${light} → ${dark})`);
    await page.click('#am-theme'); // auto
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => document.documentElement.classList.contains('am-dark'), null, { timeout: 5000 }).catch(() => fail('auto follows a dark preference'));
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => !document.documentElement.classList.contains('am-dark'), null, { timeout: 5000 }).catch(() => fail('auto follows a light preference'));

    // Zoom: wheel, keyboard, fit.
    const t0 = await transform(page);
    const box = await page.locator('#am-viewport').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction((t) => document.getElementById('am-stage').style.transform !== t, t0);
    const scale = (t) => parseFloat(/scale\(([^)]+)\)/.exec(t)[1]);
    const t1 = await transform(page);
    check(scale(t1) > scale(t0), `the wheel zooms in (${t0} → ${t1})`);
    await page.locator('#am-viewport').focus();
    await page.keyboard.press('-');
    await page.waitForFunction((t) => document.getElementById('am-stage').style.transform !== t, t1);
    check(scale(await transform(page)) < scale(t1), '- zooms out');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('0');
    await page.waitForFunction((t) => document.getElementById('am-stage').style.transform === t, t0);

    // Keyboard alone: Tab from the diagram reaches a component, Enter selects it.
    await page.locator('#am-viewport').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    check((await classed(page, 'am-sel')).length === 1, 'Tab and Enter select a component');
    await page.keyboard.press('Escape');

    // A deep link opens on its component and view.
    const target = data.views[data.views.length - 1];
    const deep = `${pathToFileURL(file).href}#component=${encodeURIComponent(target.nodes[0])}&view=${encodeURIComponent(target.id)}`;
    await page.goto('about:blank');
    await page.goto(deep);
    await page.waitForSelector('body[data-ready="1"]');
    check((await page.inputValue('#am-view')) === String(data.views.length - 1), 'the deep link opens its view');
    check(JSON.stringify(await classed(page, 'am-sel')) === '[0]', 'the deep link selects its component');

    // 200 % zoom: the page still fits, the side panel moves under the diagram.
    await page.setViewportSize({ width: 640, height: 400 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `no sideways scrolling at a narrow width (${overflow}px)`);

    if (shot) {
      await page.goto('about:blank');
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.goto(`${pathToFileURL(file).href}#component=${encodeURIComponent(comp.id)}`);
      await page.waitForSelector('body[data-ready="1"]');
      // The selection's neighbourhood, a little wider than the deep link's close-up.
      await page.locator('#am-viewport').focus();
      await page.keyboard.press('-');
      await page.evaluate(() => document.activeElement.blur());
      await page.waitForTimeout(200);
      await page.screenshot({ path: shot });
      results.screenshot = shot;
    }
    check(problems.length === 0, problems.join('; '));
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return results;
}

async function hostile(file) {
  const { browser, profile } = await launch();
  const results = {};
  try {
    const { page, problems } = await open(browser, pathToFileURL(file).href, onlyFile(file));
    const data = await island(page);
    let clicks = 0;
    for (let v = 0; v < data.views.length; v++) {
      await page.selectOption('#am-view', String(v));
      const n = data.views[v].nodes.length;
      for (let j = 0; j < n; j++) {
        await (await nodeAt(page, j)).click({ force: true });
        clicks++;
      }
    }
    for (let i = 0; i < data.findings.length; i++) await page.click(`#am-findings button[data-finding="${i}"]`);
    for (const c of data.components) {
      await page.fill('#am-q', c.label.slice(0, 40));
      await page.press('#am-q', 'Enter');
    }
    // The links in the panel only ever point where the URL rules allow.
    const hrefs = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')));
    for (const h of hrefs) check(!/^\s*(javascript|data|vbscript):/i.test(h), `unsafe link ${h}`);
    const pwned = await page.evaluate(() => window.__pwned);
    check(pwned === undefined, `a payload ran: window.__pwned = ${pwned}`);
    check(problems.length === 0, problems.join('; '));
    results.clicks = clicks;
    results.components = data.components.length;
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return results;
}

async function serve(url, manifest) {
  const { browser, profile } = await launch();
  const origin = new URL(url).origin;
  const results = {};
  const original = readFileSync(manifest, 'utf8');
  try {
    const { page, problems } = await open(browser, url, (u) => u.startsWith(`${origin}/`));
    const generation = () => page.evaluate(() => parseInt(document.body.dataset.generation || '0', 10));
    await page.waitForFunction(() => document.getElementById('am-live').textContent === 'live');
    const before = await island(page);
    // Select something and zoom: both survive the reload.
    const sys = before.views[0];
    await (await nodeAt(page, 0)).click();
    const box = await page.locator('#am-viewport').boundingBox();
    await page.mouse.move(box.x + 200, box.y + 200);
    await page.mouse.wheel(0, -300);
    await page.waitForTimeout(50);
    const t = await transform(page);

    // 1. Edit: a new component appears.
    let g = await generation();
    check(/^services:\n/m.test(original), 'the manifest has a services: line');
    writeFileSync(manifest, original.replace(/^services:\n/m, 'services:\n  added-by-test:\n    kind: cache\n'));
    await page.waitForFunction((n) => parseInt(document.body.dataset.generation || '0', 10) > n, g, { timeout: 20000 });
    const after = await island(page);
    check(after.components.some((c) => c.id === 'added-by-test'), 'the edit reached the page');
    check(await page.locator('#am-stage svg #node-added-by-test').count() === 1, 'the new component is drawn');
    check((await transform(page)) === t, 'pan and zoom survive the reload');
    const selected = (await classed(page, 'am-sel')).map((j) => after.views[0].nodes[j]);
    check(JSON.stringify(selected) === JSON.stringify([sys.nodes[0]]), `the selection survives the reload (${selected})`);

    // 2. Break it: the located error shows, the last drawing stays.
    g = await generation();
    writeFileSync(manifest, `${original.trimEnd()}\n  broken: [\n`);
    await page.waitForFunction((n) => parseInt(document.body.dataset.generation || '0', 10) > n, g, { timeout: 20000 });
    check(await page.isVisible('#am-errors'), 'the error banner shows');
    const banner = await page.textContent('#am-errors');
    const name = manifest.split('/').pop();
    check(new RegExp(`${name.replace('.', '\\.')}:\\d+:\\d+`).test(banner), `the error is located: ${banner}`);
    check(await page.locator('#am-stage svg #node-added-by-test').count() === 1, 'the last good drawing stays');
    results.error = banner.trim().slice(0, 200);

    // 3. Fix it: the banner goes, the drawing follows the file.
    g = await generation();
    writeFileSync(manifest, original);
    await page.waitForFunction((n) => parseInt(document.body.dataset.generation || '0', 10) > n, g, { timeout: 20000 });
    check(!(await page.isVisible('#am-errors')), 'the error banner goes once fixed');
    check(await page.locator('#am-stage svg #node-added-by-test').count() === 0, 'the drawing follows the fix');

    // The server answers nothing but its page and its events: raw paths, not normalised.
    const status = (path, headers = {}) => new Promise((resolve, reject) => {
      const u = new URL(url);
      const req = request({ host: u.hostname, port: u.port, path, headers }, (res) => { res.resume(); resolve(res.statusCode); });
      req.on('error', reject);
      req.end();
    });
    for (const path of ['/etc/passwd', '/../Cargo.toml', '/..%2fCargo.toml', '/%2e%2e/Cargo.toml', `/${name}`, `/../${name}`, '/events/x', '/favicon.ico', '//etc/passwd']) {
      const s = await status(path);
      check(s === 404, `${path} answered ${s}`);
    }
    check((await status('/')) === 200, '/ answers');
    check((await status('/', { Host: 'attacker.example' })) === 403, 'a foreign Host is refused');
    check(problems.length === 0, problems.join('; '));
  } finally {
    writeFileSync(manifest, original);
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return results;
}

async function perf(file) {
  const { browser, profile } = await launch();
  const results = {};
  try {
    const t0 = Date.now();
    const { page, problems } = await open(browser, pathToFileURL(file).href, onlyFile(file));
    results.ready_ms = Date.now() - t0;
    // Until the first frame with the drawing on screen (fitted to the window) is drawn.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    results.drawing_shown_ms = Date.now() - t0;
    results.first_contentful_paint_ms = await page.evaluate(() => {
      const p = performance.getEntriesByName('first-contentful-paint')[0];
      return p ? Math.round(p.startTime) : null;
    });
    results.boxes = await page.evaluate(() => document.querySelectorAll('#am-stage svg g.node').length);
    // Pan by dragging for 60 frames; measure the time between frames.
    const box = await page.locator('#am-viewport').boundingBox();
    await page.mouse.move(box.x + 400, box.y + 300);
    await page.evaluate(() => {
      window.__frames = [];
      const tick = (t) => { window.__frames.push(t); if (window.__frames.length < 400) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    });
    await page.mouse.down();
    for (let i = 0; i < 60; i++) await page.mouse.move(box.x + 400 - i * 5, box.y + 300 - i * 3);
    await page.mouse.up();
    const frames = await page.evaluate(() => window.__frames);
    const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
    results.frames = gaps.length;
    results.frame_ms_median = Math.round(gaps[Math.floor(gaps.length / 2)] * 10) / 10;
    results.frame_ms_p95 = Math.round(gaps[Math.floor(gaps.length * 0.95)] * 10) / 10;
    // Select the busiest component through the search box (it zooms there and dims the rest).
    const data = await island(page);
    const sys = data.views[0];
    const degree = new Array(sys.nodes.length).fill(0);
    for (const [a, b] of sys.edges) { degree[a]++; degree[b]++; }
    const hub = sys.nodes[degree.indexOf(Math.max(...degree))];
    // Timed inside the page: the script's work, then until two frames have been drawn.
    const timing = await page.evaluate(async (id) => {
      const q = document.getElementById('am-q');
      const t0 = performance.now();
      q.value = id;
      q.dispatchEvent(new Event('input'));
      q.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      const t1 = performance.now();
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return { script: t1 - t0, drawn: performance.now() - t0 };
    }, hub);
    results.select_script_ms = Math.round(timing.script);
    results.select_drawn_ms = Math.round(timing.drawn);
    results.selected = hub;
    results.lit = (await classed(page, 'am-on')).length;
    check(results.lit > 1, 'the selection lights its neighbourhood');
    check(problems.length === 0, problems.join('; '));
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return results;
}

try {
  let results;
  if (mode === 'explore') results = await explore(target, extra);
  else if (mode === 'hostile') results = await hostile(target);
  else if (mode === 'serve') results = await serve(target, extra);
  else if (mode === 'perf') results = await perf(target);
  else fail(`unknown mode ${mode}`);
  console.log(JSON.stringify({ ok: true, mode, ...results }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, mode, error: String(e && e.stack || e) }));
  process.exit(1);
}
