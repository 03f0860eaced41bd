/**
 * The page's only script (no build step, no library, ~200 lines): live updates by conditional
 * polling of `GET /status/sections` (ETag / If-None-Match, one request a second, 304 when nothing
 * changed) swapping only the sections that changed; relative times; search and paging of the VM
 * contexts; and the buttons (Cleanup with its progress, Adopt, Keep/Undo, Delete now, Reset) through
 * one confirmation dialog that asks for the API token (kept in sessionStorage only). Text from the
 * server's JSON answers is inserted with textContent, never as markup; the sections are markup the
 * server escaped.
 */
export const STATUS_PAGE_SCRIPT = `
(() => {
  const $ = (id) => document.getElementById(id);
  const main = $('console');
  const live = $('live');
  const TOKEN_KEY = 'omaReconcilerToken';
  const params = new URLSearchParams(location.search);
  const view = { q: params.get('q') || '', page: Number(main.dataset.page || params.get('page') || 1) };
  let etag = null;
  let inFlight = false;

  function fmtRel(ms) {
    const future = ms > 0; let s = Math.round(Math.abs(ms) / 1000);
    let text;
    if (s < 60) text = s + ' s';
    else if (s < 3600) text = Math.round(s / 60) + ' min';
    else if (s < 172800) text = Math.round(s / 3600) + ' h';
    else text = Math.round(s / 86400) + ' d';
    return future ? 'in ' + text : text + ' ago';
  }
  function relTimes(root) {
    const now = Date.now();
    (root || document).querySelectorAll('time[data-rel]').forEach((t) => {
      const at = Date.parse(t.getAttribute('datetime'));
      if (!Number.isNaN(at)) { t.textContent = fmtRel(at - now); t.title = t.getAttribute('datetime'); }
    });
  }
  function focusKey(el) {
    if (!el || !main.contains(el)) return null;
    const d = el.dataset || {};
    return ['act', 'id', 'actionId', 'volume', 'vm', 'page'].map((k) => d[k] || '').join('|');
  }
  function swap(htmlText) {
    const key = focusKey(document.activeElement);
    const tpl = document.createElement('template');
    tpl.innerHTML = htmlText;
    tpl.content.querySelectorAll('section[data-part]').forEach((fresh) => {
      const old = main.querySelector('section[data-part="' + fresh.dataset.part + '"]');
      if (!old) { main.appendChild(fresh); return; }
      if (old.innerHTML !== fresh.innerHTML) old.replaceWith(fresh);
    });
    relTimes(main);
    if (key) {
      const again = [...main.querySelectorAll('button')].find((b) => focusKey(b) === key);
      if (again && !again.disabled) again.focus();
    }
  }
  function sectionsUrl() {
    const p = new URLSearchParams();
    if (view.q) p.set('q', view.q);
    if (view.page > 1) p.set('page', String(view.page));
    return '/status/sections' + (p.toString() ? '?' + p : '');
  }
  let again = false;
  async function refresh(force) {
    // A refresh asked for while one runs (a new search, an action's effect) runs right after it.
    if (inFlight) { again = again || force; return; }
    inFlight = true;
    try {
      const res = await fetch(sectionsUrl(), { headers: force || !etag ? {} : { 'if-none-match': etag }, cache: 'no-store' });
      if (res.status === 200) { etag = res.headers.get('etag'); swap(await res.text()); }
      live.textContent = res.ok || res.status === 304 ? 'live' : 'update failed (HTTP ' + res.status + ')';
      live.classList.toggle('bad', !(res.ok || res.status === 304));
    } catch (e) {
      live.textContent = 'daemon unreachable'; live.classList.add('bad');
    } finally {
      inFlight = false;
      if (again) { again = false; etag = null; refresh(true); }
    }
  }
  function setView(next) {
    Object.assign(view, next);
    const p = new URLSearchParams();
    if (view.q) p.set('q', view.q);
    if (view.page > 1) p.set('page', String(view.page));
    history.replaceState(null, '', location.pathname + (p.toString() ? '?' + p : ''));
    etag = null;
    refresh(true);
  }

  // Search and paging.
  const q = $('q');
  let debounce = null;
  q.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(() => setView({ q: q.value.trim(), page: 1 }), 250); });
  $('search').addEventListener('submit', (e) => { e.preventDefault(); setView({ q: q.value.trim(), page: 1 }); });

  // Token handling shared by both dialogs.
  function token(input) { return sessionStorage.getItem(TOKEN_KEY) || input.value.trim(); }
  function forget(row) { sessionStorage.removeItem(TOKEN_KEY); row.hidden = false; }
  async function post(path, body, input, row) {
    const t = token(input);
    if (!t) return { ok: false, status: 0, body: { message: 'An API token is required.' } };
    const res = await fetch(path, { method: 'POST', headers: { authorization: 'Bearer ' + t, 'content-type': 'application/json' }, body: JSON.stringify(body || {}) });
    const json = await res.json().catch(() => ({}));
    if (res.status === 401 || res.status === 403) forget(row);
    else if (res.ok) sessionStorage.setItem(TOKEN_KEY, t);
    return { ok: res.ok, status: res.status, body: json };
  }

  // The generic confirmation dialog: Adopt, Keep/Undo, Delete now, Reset.
  const act = { dialog: $('act-dialog'), title: $('act-title'), text: $('act-text'), reasonRow: $('act-reason-row'), reason: $('act-reason'),
    tokenRow: $('act-token-row'), token: $('act-token'), status: $('act-status'), error: $('act-error'), confirm: $('act-confirm'), cancel: $('act-cancel') };
  let pending = null;
  function actError(m) { act.error.textContent = m; act.error.hidden = !m; }
  function openAct(spec) {
    pending = spec;
    act.title.textContent = spec.title; act.text.textContent = spec.text;
    act.reasonRow.hidden = !spec.reason; act.reason.value = '';
    act.tokenRow.hidden = Boolean(sessionStorage.getItem(TOKEN_KEY));
    act.status.textContent = ''; actError(''); act.confirm.disabled = false;
    act.confirm.textContent = spec.confirm; act.confirm.className = spec.danger ? 'danger' : 'primary';
    act.dialog.showModal();
    (spec.reason ? act.reason : act.tokenRow.hidden ? act.confirm : act.token).focus();
  }
  act.cancel.addEventListener('click', () => act.dialog.close());
  act.confirm.addEventListener('click', async () => {
    if (!pending) return;
    actError('');
    const body = pending.body ? pending.body() : {};
    if (pending.reason && !act.reason.value.trim()) { actError('A reason is required.'); act.reason.focus(); return; }
    act.confirm.disabled = true; act.status.textContent = 'Working…';
    try {
      const r = await post(pending.path, body, act.token, act.tokenRow);
      if (!r.ok) { actError(r.body.message || r.body.error || ('HTTP ' + r.status)); act.status.textContent = ''; act.confirm.disabled = false; return; }
      act.status.textContent = r.body.message || 'Done';
      refresh(true);
    } catch (e) { actError(String((e && e.message) || e)); act.confirm.disabled = false; }
  });

  // The cleanup dialog: the workflow's steps, then its live progress.
  const cl = { dialog: $('cleanup-dialog'), title: $('cleanup-title'), list: $('cleanup-steps'), progress: $('cleanup-progress'), progressBox: $('cleanup-progress-box'), tokenRow: $('cleanup-token-row'), token: $('cleanup-token'),
    error: $('cleanup-error'), status: $('cleanup-status'), confirm: $('cleanup-confirm'), cancel: $('cleanup-cancel') };
  let cleanupVm = null;
  // The preview (readable sentences) stays; the run's recorded steps are listed apart, since they
  // are the workflow's own units and do not map one to one onto the preview's sentences.
  function renderSteps(steps, target) {
    (target || cl.list).replaceChildren(...steps.map((s) => {
      const li = document.createElement('li');
      const name = typeof s === 'string' ? s : s.name;
      const status = typeof s === 'string' ? 'planned' : s.status;
      li.dataset.status = status;
      li.textContent = status === 'planned' ? name : name + ' — ' + status;
      return li;
    }));
  }
  function clError(m) { cl.error.textContent = m; cl.error.hidden = !m; }
  cl.cancel.addEventListener('click', () => cl.dialog.close());
  async function pollCleanup(jobId) {
    for (;;) {
      const res = await fetch('/api/v1/cleanups/' + encodeURIComponent(jobId), { cache: 'no-store' });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) { clError(body.message || ('HTTP ' + res.status)); return; }
      if (Array.isArray(body.steps) && body.steps.length) {
        renderSteps(body.steps, cl.progress);
        cl.progressBox.hidden = false;
        const done = body.steps.filter((s) => s.status === 'completed').length;
        cl.status.dataset.steps = done + ' of ' + body.steps.length + ' recorded steps completed';
      }
      cl.status.textContent = 'Cleanup ' + body.status + (body.message ? ': ' + body.message : '') + (cl.status.dataset.steps ? ' (' + cl.status.dataset.steps + ')' : '');
      if (body.status === 'done') { refresh(true); return; }
      if (body.status === 'failed' || body.status === 'refused') { clError(body.message || body.status); return; }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  cl.confirm.addEventListener('click', async () => {
    clError(''); cl.confirm.disabled = true; cl.status.textContent = 'Requesting cleanup…';
    try {
      const r = await post('/api/v1/failover/' + encodeURIComponent(cleanupVm) + '/cleanup-failed', {}, cl.token, cl.tokenRow);
      if (!r.ok || r.body.success === false) { clError(r.body.message || r.body.error || ('HTTP ' + r.status)); cl.confirm.disabled = false; cl.status.textContent = ''; return; }
      cl.status.textContent = r.body.message || 'Cleanup accepted';
      if (r.body.job_id) await pollCleanup(r.body.job_id);
    } catch (e) { clError(String((e && e.message) || e)); cl.confirm.disabled = false; }
  });

  // One listener for every button in the live sections.
  main.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (!b || b.disabled) return;
    const d = b.dataset;
    if (d.page) { setView({ page: Number(d.page) }); return; }
    switch (d.act) {
      case 'cleanup':
        cleanupVm = d.vm;
        cl.title.textContent = 'Clean up the failed ' + d.operation + ' of ' + d.vm;
        renderSteps(JSON.parse(d.steps || '[]'));
        cl.progress.replaceChildren(); cl.progressBox.hidden = true; delete cl.status.dataset.steps;
        cl.tokenRow.hidden = Boolean(sessionStorage.getItem(TOKEN_KEY));
        cl.status.textContent = ''; clError(''); cl.confirm.disabled = false;
        cl.dialog.showModal(); (cl.tokenRow.hidden ? cl.confirm : cl.token).focus();
        break;
      case 'adopt':
        openAct({ title: 'Adopt ' + d.type + ' ' + d.name, text: 'Record ' + d.type + ' ' + d.id + ' in the ownership ledger as the appliance\\'s. The reconciler may then act on it behind its other gates. Undo from Recent actions.',
          confirm: 'Adopt', reason: true, path: '/api/v1/adopt', body: () => ({ type: d.type, id: d.id, reason: act.reason.value.trim() }) });
        break;
      case 'undo':
        openAct({ title: 'Undo action ' + d.actionId, text: 'Reverse action ' + d.actionId + ' (' + (d.label || '') + ') from its audit record.', confirm: d.label && d.label.startsWith('keep') ? 'Keep' : 'Undo',
          path: '/api/v1/actions/' + encodeURIComponent(d.actionId) + '/undo' });
        break;
      case 'delete-now':
        openAct({ title: 'Delete ' + d.name + ' now', text: 'End the quarantine of volume ' + d.volume + ' now: the next pass deletes it (behind the budget and mode gates). This cannot be undone.',
          confirm: 'Delete now', danger: true, path: '/api/v1/quarantine/' + encodeURIComponent(d.volume) + '/delete-now' });
        break;
      case 'reset-safety':
        openAct({ title: 'Reset the safety trip', text: 'Clear the mode ceiling a budget trip left, after you reviewed why it tripped. The next pass acts in the configured mode again.',
          confirm: 'Reset', path: '/api/v1/safety/reset' });
        break;
    }
  });

  relTimes(document);
  setInterval(() => relTimes(main), 1000);
  setInterval(() => { if (!document.hidden) refresh(false); }, 1000);
})();
`;
