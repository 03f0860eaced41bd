/**
 * The page's only script (no build step): the Cleanup modal, the token prompt (kept in
 * sessionStorage only), the POST to the token-protected route, and live progress of the workflow's
 * steps. Everything from the server is inserted with textContent, never as markup.
 */
export const STATUS_PAGE_SCRIPT = `
(() => {
  const dialog = document.getElementById('cleanup-dialog');
  const title = document.getElementById('cleanup-title');
  const list = document.getElementById('cleanup-steps');
  const tokenRow = document.getElementById('cleanup-token-row');
  const tokenInput = document.getElementById('cleanup-token');
  const errorBox = document.getElementById('cleanup-error');
  const statusBox = document.getElementById('cleanup-status');
  const confirmBtn = document.getElementById('cleanup-confirm');
  const cancelBtn = document.getElementById('cleanup-cancel');
  let current = null;

  function renderSteps(steps) {
    list.replaceChildren(...steps.map((s) => {
      const li = document.createElement('li');
      const name = typeof s === 'string' ? s : s.name;
      const status = typeof s === 'string' ? 'planned' : s.status;
      li.dataset.status = status;
      li.textContent = status === 'planned' ? name : name + ' — ' + status;
      return li;
    }));
  }
  function showError(message) { errorBox.textContent = message; errorBox.hidden = !message; }

  document.querySelectorAll('button[data-cleanup-vm]').forEach((btn) => {
    btn.addEventListener('click', () => {
      current = { vm: btn.dataset.cleanupVm, operation: btn.dataset.operation };
      title.textContent = 'Clean up the failed ' + current.operation + ' of ' + current.vm;
      renderSteps(JSON.parse(btn.dataset.steps || '[]'));
      tokenRow.hidden = Boolean(sessionStorage.getItem('omaReconcilerToken'));
      statusBox.textContent = '';
      showError('');
      confirmBtn.disabled = false;
      dialog.showModal();
    });
  });
  cancelBtn.addEventListener('click', () => dialog.close());

  async function poll(jobId) {
    for (;;) {
      const res = await fetch('/api/v1/cleanups/' + encodeURIComponent(jobId));
      const body = await res.json().catch(() => ({}));
      if (!res.ok) { showError(body.message || ('HTTP ' + res.status)); return; }
      if (Array.isArray(body.steps) && body.steps.length) renderSteps(body.steps);
      statusBox.textContent = 'Cleanup ' + body.status + (body.message ? ': ' + body.message : '');
      if (body.status === 'done') { setTimeout(() => location.reload(), 1500); return; }
      if (body.status === 'failed' || body.status === 'refused') { showError(body.message || body.status); return; }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  confirmBtn.addEventListener('click', async () => {
    showError('');
    let token = sessionStorage.getItem('omaReconcilerToken');
    if (!token) {
      token = tokenInput.value.trim();
      if (!token) { showError('An API token is required to run a cleanup.'); return; }
    }
    confirmBtn.disabled = true;
    statusBox.textContent = 'Requesting cleanup…';
    try {
      const res = await fetch('/api/v1/failover/' + encodeURIComponent(current.vm) + '/cleanup-failed', {
        method: 'POST', headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
      });
      const body = await res.json().catch(() => ({}));
      if (res.status === 401 || res.status === 403) { sessionStorage.removeItem('omaReconcilerToken'); tokenRow.hidden = false; }
      if (!res.ok || body.success === false) {
        showError(body.message || body.error || ('HTTP ' + res.status));
        confirmBtn.disabled = false;
        statusBox.textContent = '';
        return;
      }
      sessionStorage.setItem('omaReconcilerToken', token);
      statusBox.textContent = body.message || 'Cleanup accepted';
      if (body.job_id) await poll(body.job_id);
    } catch (e) {
      showError(String(e && e.message || e));
      confirmBtn.disabled = false;
    }
  });
})();
`;
