// archmap's interactive page: pan and zoom, search, neighbourhoods, findings, views, themes and
// deep links over the SVGs archmap drew. Every string from the manifest reaches the page through
// textContent or a checked href, never as markup.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const viewport = $('am-viewport');
  const stage = $('am-stage');
  const html = document.documentElement;
  let data = JSON.parse($('am-data').textContent);
  let comps = new Map();
  let groups = new Map();
  let findingsOf = new Map();
  // What the reader is looking at; survives a live reload.
  const st = { view: 0, sel: [], depth: 1, dir: 'both', x: 0, y: 0, k: 1, q: '', matches: [], cur: -1 };
  // The view on screen: its SVG, boxes and lines in the scene's order, and adjacency.
  let cur = null;
  let lit = [];
  let marked = [];

  function index() {
    comps = new Map(data.components.map((c) => [c.id, c]));
    groups = new Map(data.groups.map((g) => [g.id, g]));
    findingsOf = new Map();
    data.findings.forEach((f, i) => {
      for (const s of f.subjects) {
        if (!findingsOf.has(s)) findingsOf.set(s, []);
        findingsOf.get(s).push(i);
      }
    });
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // ---- Pan and zoom: one CSS transform on the stage, applied once per frame.
  const FAR = 0.35;
  let frame = 0;
  function apply() {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      stage.style.transform = `translate(${st.x}px, ${st.y}px) scale(${st.k})`;
      // Zoomed out, dashes are under two pixels and drawing them is most of a large
      // diagram's cost: lines are drawn solid until the reader comes closer.
      stage.classList.toggle('am-far', st.k < FAR);
    });
  }
  function size() {
    const svg = cur && cur.svg;
    if (!svg) return { w: 1, h: 1 };
    return { w: svg.width.baseVal.value || 1, h: svg.height.baseVal.value || 1 };
  }
  function zoomAt(factor, cx, cy) {
    const k = Math.min(8, Math.max(0.02, st.k * factor));
    st.x = cx - (cx - st.x) * (k / st.k);
    st.y = cy - (cy - st.y) * (k / st.k);
    st.k = k;
    apply();
  }
  function centre() {
    return { x: viewport.clientWidth / 2, y: viewport.clientHeight / 2 };
  }
  function fit() {
    const { w, h } = size();
    const vw = viewport.clientWidth || 800;
    const vh = viewport.clientHeight || 600;
    st.k = Math.min(2, Math.max(0.02, Math.min(vw / w, vh / h) * 0.96));
    st.x = (vw - w * st.k) / 2;
    st.y = (vh - h * st.k) / 2;
    apply();
  }
  function zoomToBox(b) {
    const vw = viewport.clientWidth || 800;
    const vh = viewport.clientHeight || 600;
    const need = Math.min(vw / (b.width + 80), vh / (b.height + 80));
    st.k = Math.min(Math.max(st.k, Math.min(1, need)), need, 4);
    st.x = vw / 2 - (b.x + b.width / 2) * st.k;
    st.y = vh / 2 - (b.y + b.height / 2) * st.k;
    apply();
  }
  function boxOf(els) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const e of els) {
      const b = e.getBBox();
      x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y);
      x1 = Math.max(x1, b.x + b.width); y1 = Math.max(y1, b.y + b.height);
    }
    return x0 === Infinity ? null : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }

  const pointers = new Map();
  let drag = null;
  let moved = false;
  viewport.addEventListener('pointerdown', (e) => {
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.size === 1) {
      drag = { x: e.clientX, y: e.clientY, sx: st.x, sy: st.y };
      moved = false;
    } else {
      drag = null;
    }
  });
  viewport.addEventListener('pointermove', (e) => {
    if (!pointers.has(e.pointerId)) return;
    const prev = pointers.get(e.pointerId);
    if (pointers.size === 2) {
      const other = [...pointers.entries()].find(([id]) => id !== e.pointerId)[1];
      const d0 = Math.hypot(prev.x - other.x, prev.y - other.y);
      const d1 = Math.hypot(e.clientX - other.x, e.clientY - other.y);
      const r = viewport.getBoundingClientRect();
      if (d0 > 0) zoomAt(d1 / d0, (e.clientX + other.x) / 2 - r.left, (e.clientY + other.y) / 2 - r.top);
      moved = true;
    } else if (drag) {
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (!moved && Math.hypot(dx, dy) > 4) {
        moved = true;
        viewport.setPointerCapture(e.pointerId);
        viewport.classList.add('am-dragging');
      }
      if (moved) {
        st.x = drag.sx + dx;
        st.y = drag.sy + dy;
        apply();
      }
    }
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
  });
  const release = (e) => {
    pointers.delete(e.pointerId);
    if (pointers.size === 0) {
      drag = null;
      viewport.classList.remove('am-dragging');
    }
  };
  viewport.addEventListener('pointerup', release);
  viewport.addEventListener('pointercancel', release);
  viewport.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = viewport.getBoundingClientRect();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    zoomAt(Math.exp(-e.deltaY * unit * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });

  // ---- Views.
  function loadView(i, keepPlace) {
    const tpl = $(`am-view-${i}`);
    if (!tpl) return;
    st.view = i;
    stage.replaceChildren(document.importNode(tpl.content, true));
    const svg = stage.querySelector('svg');
    const v = data.views[i];
    const nodes = [...svg.querySelectorAll(':scope > g.node, :scope > a > g.node')];
    const edges = [...svg.querySelectorAll(':scope > g.edge')];
    const byEl = new Map();
    const byId = new Map();
    const out = nodes.map(() => []);
    const inn = nodes.map(() => []);
    const collapsed = new Set(v.collapsed);
    nodes.forEach((n, j) => {
      byEl.set(n, j);
      const id = v.nodes[j];
      if (!collapsed.has(j)) byId.set(id, j);
      else if (!byId.has(id)) byId.set(id, j);
      if (!n.parentNode.matches('a')) n.setAttribute('tabindex', '0');
      n.setAttribute('role', 'button');
    });
    v.edges.forEach(([a, b], j) => {
      if (out[a] && inn[b]) {
        out[a].push([j, b]);
        inn[b].push([j, a]);
      }
    });
    cur = { svg, nodes, edges, byEl, byId, out, inn, v, collapsed, copies: new Map() };
    lit = [];
    marked = [];
    $('am-view').value = String(i);
    if (!keepPlace) fit(); else apply();
    search(st.q, false);
    st.sel = st.sel.filter((id) => byId.has(id));
    highlight();
  }
  function fillViews() {
    const sel = $('am-view');
    sel.replaceChildren(...data.views.map((v, i) => {
      const o = el('option', null, v.id === 'system' && i === 0 ? `${v.title} (system)` : v.title);
      o.value = String(i);
      return o;
    }));
  }

  // ---- Selection: the selected boxes, what they reach within the depth, the rest dimmed.
  // Dimming touches only what stays bright: one veil over the drawing in the page's colour,
  // and copies of the lit boxes and lines above it (a large drawing has tens of thousands of
  // elements; changing each one's opacity costs seconds).
  const SVGNS = 'http://www.w3.org/2000/svg';
  function unveil() {
    const old = cur && cur.svg.querySelector(':scope > g.am-overlay');
    if (old) old.remove();
    if (cur) cur.copies = new Map();
  }
  function veil(els) {
    unveil();
    const g = document.createElementNS(SVGNS, 'g');
    g.setAttribute('class', 'am-overlay');
    const r = document.createElementNS(SVGNS, 'rect');
    r.setAttribute('class', 'am-veil');
    r.setAttribute('width', '100%');
    r.setAttribute('height', '100%');
    g.append(r);
    // Lines first, boxes over them, as in the drawing.
    const ordered = els.filter((e) => e.matches('g.edge')).concat(els.filter((e) => e.matches('g.node')));
    for (const e of ordered) {
      const c = e.cloneNode(true);
      c.removeAttribute('id');
      c.removeAttribute('tabindex');
      if (cur.byEl.has(e)) cur.copies.set(c, cur.byEl.get(e));
      g.append(c);
    }
    cur.svg.append(g);
  }
  function highlight() {
    for (const e of lit) e.classList.remove('am-on', 'am-sel');
    lit = [];
    if (!cur || st.sel.length === 0) {
      unveil();
      stage.classList.remove('am-dim');
      details();
      hash();
      return;
    }
    const start = st.sel.map((id) => cur.byId.get(id)).filter((j) => j !== undefined);
    const seen = new Set(start);
    const lines = new Set();
    const walk = (adj) => {
      let front = start;
      for (let d = 0; d < st.depth && front.length; d++) {
        const next = [];
        for (const j of front) {
          for (const [e, k] of adj[j]) {
            lines.add(e);
            if (!seen.has(k)) { seen.add(k); next.push(k); }
          }
        }
        front = next;
      }
    };
    if (st.dir !== 'up') walk(cur.out);
    if (st.dir !== 'down') walk(cur.inn);
    // A finding's subjects: the lines between them too (a cycle's arrows).
    if (start.length > 1) {
      const s = new Set(start);
      cur.v.edges.forEach(([a, b], e) => { if (s.has(a) && s.has(b)) lines.add(e); });
    }
    for (const j of seen) { cur.nodes[j].classList.add('am-on'); lit.push(cur.nodes[j]); }
    for (const j of start) cur.nodes[j].classList.add('am-sel');
    for (const e of lines) { cur.edges[e].classList.add('am-on'); lit.push(cur.edges[e]); }
    veil(lit.concat(marked.filter((m) => !m.classList.contains('am-on'))));
    stage.classList.add('am-dim');
    details();
    hash();
  }
  // The components of group `gid` and of the groups inside it.
  function members(gid) {
    return data.components.filter((c) => {
      for (let g = c.group, n = 0; g && n < 64; g = groups.get(g)?.parent, n++) if (g === gid) return true;
      return false;
    }).map((c) => c.id);
  }
  // Ids on the stage for a list of subjects: components as they are, a group as its box when
  // collapsed, else as its members.
  function resolve(ids) {
    const out = new Set();
    for (const id of ids) {
      if (cur.byId.has(id)) out.add(id);
      else if (groups.has(id)) for (const m of members(id)) if (cur.byId.has(m)) out.add(m);
    }
    return [...out];
  }
  function select(ids, zoom) {
    st.sel = cur ? resolve(ids) : [];
    highlight();
    if (zoom && st.sel.length) {
      const b = boxOf(st.sel.map((id) => cur.nodes[cur.byId.get(id)]));
      if (b) zoomToBox(b);
    }
  }

  // ---- The side panel.
  function prop(dl, name, value) {
    if (value === undefined || value === null || value === '') return;
    dl.append(el('dt', null, name));
    const dd = el('dd');
    if (value instanceof Node) dd.append(value); else dd.textContent = String(value);
    dl.append(dd);
  }
  function details() {
    const box = $('am-details');
    box.replaceChildren();
    const id = st.sel[0];
    const c = id !== undefined ? comps.get(id) : undefined;
    if (!cur || id === undefined) {
      box.append(el('h2', null, 'Component'), el('p', 'am-hint', 'Click a component, or search, to see its details and neighbourhood.'));
      return;
    }
    const j = cur.byId.get(id);
    if (!c) {
      const g = groups.get(id);
      box.append(el('h2', null, g ? g.label : id));
      const dl = el('dl', 'am-props');
      prop(dl, 'group', id);
      if (g) prop(dl, 'description', g.description);
      prop(dl, 'holds', cur.nodes[j] ? cur.nodes[j].querySelector('.sub')?.textContent : '');
      box.append(dl);
      return;
    }
    box.append(el('h2', null, c.label));
    const dl = el('dl', 'am-props');
    prop(dl, 'id', c.id);
    prop(dl, 'kind', c.kind);
    prop(dl, 'tech', c.tech);
    prop(dl, 'owner', c.owner);
    if (c.group) prop(dl, 'group', groups.get(c.group)?.label ?? c.group);
    prop(dl, 'replicas', c.replicas);
    if (c.tags && c.tags.length) {
      const span = el('span');
      for (const t of c.tags) span.append(el('span', 'am-tag', t));
      prop(dl, 'tags', span);
    }
    prop(dl, 'description', c.description);
    if (c.url) {
      const a = el('a', null, c.url);
      a.href = c.url;
      a.rel = 'noopener noreferrer';
      a.target = '_blank';
      prop(dl, 'link', a);
    }
    if (j !== undefined) {
      prop(dl, 'depends on', cur.out[j].map(([, k]) => cur.v.nodes[k]).join(', ') || 'nothing');
      prop(dl, 'used by', cur.inn[j].map(([, k]) => cur.v.nodes[k]).join(', ') || 'nothing');
    }
    box.append(dl);
    const fs = findingsOf.get(c.id) || [];
    if (fs.length) {
      box.append(el('h3', null, `Findings (${fs.length})`));
      const ul = el('ul', 'am-findings');
      for (const i of fs) ul.append(findingItem(data.findings[i], i));
      box.append(ul);
    }
  }
  function findingItem(f, i) {
    const li = el('li');
    const b = el('button');
    b.type = 'button';
    const sev = f.severity === 'warn' ? 'warning' : f.severity;
    b.append(el('span', `am-sev am-sev-${sev}`, `${sev}[${f.code} ${f.id}]`), el('span', 'am-msg', f.message));
    if (f.location) b.append(el('span', 'am-loc', f.location));
    if (i !== undefined) {
      b.dataset.finding = String(i);
      b.addEventListener('click', () => followFinding(i));
    }
    li.append(b);
    return li;
  }
  function followFinding(i) {
    const f = data.findings[i];
    if (!f) return;
    if (cur && resolve(f.subjects).length === 0 && st.view !== 0) loadView(0, false);
    select(f.subjects, true);
  }
  function fillFindings() {
    const ul = $('am-findings');
    ul.replaceChildren(...data.findings.map((f, i) => findingItem(f, i)));
    $('am-findings-title').textContent = `Findings (${data.findings.length})`;
    if (!data.findings.length) ul.append(el('li', 'am-hint', 'check found nothing.'));
  }
  function fillErrors() {
    const box = $('am-errors');
    box.replaceChildren();
    box.hidden = data.errors.length === 0;
    if (box.hidden) return;
    const drawn = data.views.length ? 'showing the last good drawing' : 'nothing to draw yet';
    box.append(el('h2', null, `The manifest has problems; ${drawn}:`));
    const ul = el('ul');
    for (const f of data.errors) {
      const li = el('li');
      if (f.location) li.append(el('code', null, f.location), ': ');
      li.append(el('span', null, `${f.severity}[${f.code}]: ${f.message}`));
      if (f.help) li.append(el('span', 'am-hint', ` (${f.help})`));
      ul.append(li);
    }
    box.append(ul);
  }

  // ---- Search by id, label, tag and owner; matches outlined, Enter cycles through them.
  function search(q, move) {
    st.q = q;
    for (const e of marked) e.classList.remove('am-match', 'am-cur');
    marked = [];
    st.matches = [];
    const needle = q.trim().toLowerCase();
    if (cur && needle) {
      cur.v.nodes.forEach((id, j) => {
        const c = cur.collapsed.has(j) ? null : comps.get(id);
        const g = cur.collapsed.has(j) ? groups.get(id) : null;
        const hay = [id, c?.label, c?.owner, ...(c?.tags || []), g?.label].filter(Boolean).join('\n').toLowerCase();
        if (hay.includes(needle)) st.matches.push(j);
      });
      for (const j of st.matches) { cur.nodes[j].classList.add('am-match'); marked.push(cur.nodes[j]); }
    }
    st.cur = -1;
    $('am-count').textContent = needle ? `${st.matches.length} match${st.matches.length === 1 ? '' : 'es'}` : '';
    if (move && st.matches.length) step(1);
  }
  function step(d) {
    if (!st.matches.length) return;
    if (st.cur >= 0) cur.nodes[st.matches[st.cur]].classList.remove('am-cur');
    st.cur = (st.cur + d + st.matches.length) % st.matches.length;
    const j = st.matches[st.cur];
    cur.nodes[j].classList.add('am-cur');
    $('am-count').textContent = `${st.cur + 1} of ${st.matches.length}`;
    select([cur.v.nodes[j]], true);
  }

  // ---- Deep links: #component=ID&view=ID&depth=N&dir=up|down|both.
  let applying = false;
  function hash() {
    if (applying) return;
    const p = new URLSearchParams();
    if (st.sel.length === 1) p.set('component', st.sel[0]);
    const v = data.views[st.view];
    if (v && st.view !== 0) p.set('view', v.id);
    if (st.depth !== 1) p.set('depth', String(st.depth));
    if (st.dir !== 'both') p.set('dir', st.dir);
    const h = p.toString();
    if (location.hash.slice(1) === h) return;
    try { history.replaceState(null, '', h ? `#${h}` : location.pathname + location.search); } catch (_) { /* a sandboxed frame */ }
  }
  function fromHash(first) {
    const p = new URLSearchParams(location.hash.slice(1));
    const init = first ? data.initial || {} : {};
    applying = true;
    const depth = parseInt(p.get('depth') ?? init.depth ?? 1, 10);
    st.depth = Number.isFinite(depth) ? Math.min(20, Math.max(1, depth)) : 1;
    $('am-depth').value = String(st.depth);
    const dir = p.get('dir');
    st.dir = dir === 'up' || dir === 'down' ? dir : 'both';
    $('am-dir').value = st.dir;
    const vid = p.get('view') ?? init.view;
    let v = data.views.findIndex((w) => w.id === vid);
    if (v < 0) v = first ? 0 : st.view;
    if (first || v !== st.view) loadView(v, false);
    const c = p.get('component') ?? init.component;
    applying = false;
    select(c ? [c] : [], Boolean(c));
  }

  // ---- Theme: auto (the reader's preference), light or dark; remembered.
  const media = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  let theme = 'auto';
  try { theme = localStorage.getItem('archmap-theme') || 'auto'; } catch (_) { /* storage off */ }
  function paint() {
    const dark = theme === 'dark' || (theme === 'auto' && media && media.matches);
    html.classList.toggle('am-dark', Boolean(dark));
    $('am-theme').textContent = `Theme: ${theme}`;
  }
  function nextTheme() {
    theme = theme === 'auto' ? 'light' : theme === 'light' ? 'dark' : 'auto';
    try { localStorage.setItem('archmap-theme', theme); } catch (_) { /* storage off */ }
    paint();
  }
  if (media && media.addEventListener) media.addEventListener('change', paint);

  // ---- Controls.
  $('am-view').addEventListener('change', (e) => { loadView(parseInt(e.target.value, 10), false); hash(); });
  $('am-q').addEventListener('input', (e) => search(e.target.value, false));
  $('am-q').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); step(e.shiftKey ? -1 : 1); }
    if (e.key === 'Escape') { e.target.value = ''; search('', false); select([], false); }
  });
  $('am-next').addEventListener('click', () => step(1));
  $('am-prev').addEventListener('click', () => step(-1));
  $('am-depth').addEventListener('change', (e) => {
    const d = parseInt(e.target.value, 10);
    st.depth = Number.isFinite(d) ? Math.min(20, Math.max(1, d)) : 1;
    e.target.value = String(st.depth);
    highlight();
  });
  $('am-dir').addEventListener('change', (e) => { st.dir = e.target.value; highlight(); });
  $('am-zoom-in').addEventListener('click', () => { const c = centre(); zoomAt(1.25, c.x, c.y); });
  $('am-zoom-out').addEventListener('click', () => { const c = centre(); zoomAt(0.8, c.x, c.y); });
  $('am-fit').addEventListener('click', fit);
  $('am-theme').addEventListener('click', nextTheme);
  viewport.addEventListener('click', (e) => {
    const a = e.target.closest('a');
    if (a) e.preventDefault();
    if (moved) return;
    const n = e.target.closest('g.node');
    const j = n && cur ? cur.byEl.get(n) ?? cur.copies.get(n) : undefined;
    if (j !== undefined) select([cur.v.nodes[j]], false);
    else select([], false);
  });
  stage.addEventListener('keydown', (e) => {
    const n = e.target.closest && e.target.closest('g.node, a');
    if (!n || (e.key !== 'Enter' && e.key !== ' ')) return;
    const g = n.matches('a') ? n.querySelector('g.node') : n;
    if (g && cur.byEl.has(g)) {
      e.preventDefault();
      e.stopPropagation();
      select([cur.v.nodes[cur.byEl.get(g)]], false);
    }
  });
  viewport.addEventListener('keydown', (e) => {
    const c = centre();
    const moves = { ArrowLeft: [60, 0], ArrowRight: [-60, 0], ArrowUp: [0, 60], ArrowDown: [0, -60] };
    if (moves[e.key]) { st.x += moves[e.key][0]; st.y += moves[e.key][1]; apply(); }
    else if (e.key === '+' || e.key === '=') zoomAt(1.25, c.x, c.y);
    else if (e.key === '-' || e.key === '_') zoomAt(0.8, c.x, c.y);
    else if (e.key === '0') fit();
    else return;
    e.preventDefault();
  });
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    const typing = t && (t.matches('input, select, textarea') || t.isContentEditable);
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '/') { e.preventDefault(); $('am-q').focus(); $('am-q').select(); }
    else if (e.key === 'Escape') select([], false);
    else if (e.key === '[' || e.key === ']') {
      st.depth = Math.min(20, Math.max(1, st.depth + (e.key === ']' ? 1 : -1)));
      $('am-depth').value = String(st.depth);
      highlight();
    } else if (e.key === 'd') {
      st.dir = st.dir === 'both' ? 'down' : st.dir === 'down' ? 'up' : 'both';
      $('am-dir').value = st.dir;
      highlight();
    } else if (e.key === 'v' && data.views.length > 1) { loadView((st.view + 1) % data.views.length, false); hash(); }
    else if (e.key === 't') nextTheme();
  });
  window.addEventListener('hashchange', () => fromHash(false));

  // ---- Live preview (archmap serve): on every change, fetch the page again and swap in its
  // drawings and data, keeping the view, the place, the zoom and the selection.
  function live() {
    const status = $('am-live');
    status.hidden = false;
    status.textContent = 'live';
    const events = new EventSource('/events');
    events.addEventListener('open', () => { status.textContent = 'live'; });
    events.addEventListener('error', () => { status.textContent = 'disconnected, retrying'; });
    // `hello` comes on every (re)connection with the server's generation: a different one
    // means drawings were missed while away.
    let seen = null;
    let queue = Promise.resolve();
    const refresh = () => { queue = queue.then(reload).catch((e) => { status.textContent = `reload failed: ${e}`; }); };
    events.addEventListener('hello', (e) => { if (seen !== null && e.data !== seen) refresh(); seen = e.data; });
    events.addEventListener('drawing', (e) => { seen = e.data; refresh(); });
    async function reload() {
      const res = await fetch('/', { cache: 'no-store' });
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const next = doc.getElementById('am-data');
      if (!next) return;
      const vid = data.views[st.view]?.id;
      const hadViews = data.views.length > 0;
      data = JSON.parse(next.textContent);
      $('am-data').textContent = next.textContent;
      for (const t of document.querySelectorAll('template[id^="am-view-"]')) t.remove();
      const at = $('am-data');
      for (const t of doc.querySelectorAll('template[id^="am-view-"]')) at.before(document.adoptNode(t));
      index();
      fillViews();
      fillFindings();
      fillErrors();
      document.title = data.title;
      $('am-title').textContent = data.title;
      const keep = st.sel;
      let v = data.views.findIndex((w) => w.id === vid);
      if (v < 0) v = 0;
      if (data.views.length) {
        st.sel = keep;
        loadView(v, hadViews);
        st.sel = keep.filter((id) => cur.byId.has(id));
        highlight();
      }
      document.body.dataset.generation = String((parseInt(document.body.dataset.generation || '0', 10)) + 1);
    }
  }

  index();
  paint();
  fillViews();
  fillFindings();
  fillErrors();
  if (data.views.length) fromHash(true);
  if (data.live) live();
  window.addEventListener('resize', () => { if (st.sel.length === 0) fit(); });
  document.body.dataset.ready = '1';
})();
