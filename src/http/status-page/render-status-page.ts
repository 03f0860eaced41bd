import { SafeHtml, html } from './escape-html.js';
import type { FailedOperation, StatusPageData } from './status-page-data.js';
import { STATUS_PAGE_CSS } from './status-page-style.js';
import { STATUS_PAGE_SCRIPT } from './status-page-script.js';

const STATUS_CLASS: Readonly<Record<string, string>> = {
  ready_for_failover: 'ok',
  replicating: 'warn',
  discovered: 'muted',
  failed: 'bad',
  cleanup_required: 'bad',
  failed_over_test: 'warn',
  failed_over_live: 'warn',
};

function sourceHealth(data: StatusPageData): SafeHtml {
  return html`${Object.entries(data.sources).map(
    ([name, s]) =>
      html`<span class="pill ${s.complete ? 'ok' : 'bad'}" title="${s.error ?? 'complete'}">${name}: ${s.complete ? 'complete' : 'incomplete'}</span> `,
  )}`;
}

function banner(op: FailedOperation): SafeHtml {
  const since = op.stuckSince ? `stuck since ${op.stuckSince}` : 'failed';
  return html`<div class="banner" role="alert" data-testid="failed-banner">
    <div class="row"><strong>⚠ Failed Operation Detected</strong>
      ${op.cleanup && op.cleanup.status !== 'failed' && op.cleanup.status !== 'refused'
        ? html`<span class="pill">cleanup ${op.cleanup.status}</span>`
        : html`<button class="danger" type="button" data-cleanup-vm="${op.vmName}" data-operation="${op.operation}" data-steps="${JSON.stringify(op.steps)}">Cleanup</button>`}
    </div>
    <div>${op.operation} — ${since}</div>
    <div class="muted">${op.reason}</div>
  </div>`;
}

function contextsSection(data: StatusPageData): SafeHtml {
  const failed = new Map(data.failedOperations.map((f) => [f.contextId, f]));
  return html`<h2>VM contexts (${data.contexts.length})</h2><div class="grid">${data.contexts.map((c) => {
    const op = failed.get(c.contextId);
    return html`<div class="card" data-testid="vm-card" data-vm="${c.vmName}">
      <div><strong class="vm-name">${c.vmName}</strong></div>
      <div><span class="pill ${STATUS_CLASS[c.status] ?? ''}" data-testid="vm-status">${c.status}</span>
        ${c.currentJobId ? html`<span class="muted">job ${c.currentJobId}</span>` : ''}</div>
      ${op ? banner(op) : ''}
    </div>`;
  })}</div>`;
}

function driftSection(data: StatusPageData): SafeHtml {
  const plan = data.plan;
  if (!plan) return html`<h2>Drift</h2><p class="muted">No pass has completed yet.</p>`;
  const byKind = new Map<string, typeof plan.drift[number][]>();
  for (const d of plan.drift) byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d]);
  return html`<h2>Drift (${plan.summary.drift}) <span class="muted">— ${plan.summary.actionsToRun} to run, ${plan.summary.actionsBlocked} blocked, observed ${plan.observedAt}</span></h2>
    ${plan.drift.length === 0 ? html`<p class="ok" data-testid="no-drift">drift: 0</p>` : ''}
    ${[...byKind.entries()].map(
      ([kind, items]) => html`<h3>${kind} (${items.length})</h3><table><thead><tr><th>subject</th><th>actions</th><th class="hide-sm">evidence</th></tr></thead><tbody>
      ${items.map(
        (d) => html`<tr><td>${d.subject.type} ${d.subject.name ?? d.subject.id}<div class="muted">${d.subject.id}</div></td>
          <td>${d.actions.length === 0 ? html`<span class="muted">report only</span>` : ''}${d.actions.map(
            (a) => html`<div>${a.action}: <span class="${a.decision === 'run' ? 'ok' : 'warn'}">${a.decision}${a.blockedBy ? ` (${a.blockedBy})` : ''}</span></div>`,
          )}${d.note ? html`<div class="muted">${d.note}</div>` : ''}</td>
          <td class="hide-sm">${d.evidence.map((e) => html`<div><span class="muted">${e.source}:</span> ${e.fact}</div>`)}</td></tr>`,
      )}</tbody></table>`,
    )}`;
}

function actionsSection(data: StatusPageData): SafeHtml {
  return html`<h2>Recent actions</h2>${data.recentActions.length === 0
    ? html`<p class="muted">None recorded.</p>`
    : html`<table><thead><tr><th>when</th><th>kind</th><th>action</th><th>subject</th><th>outcome</th></tr></thead><tbody>${data.recentActions.map(
        (a) => html`<tr><td>${a.at}</td><td>${a.kind}</td><td>${a.action}</td><td>${a.subject}</td>
          <td class="${a.outcome === 'success' ? 'ok' : a.outcome === 'error' ? 'bad' : ''}">${a.outcome}${a.error ? html`<div class="error">${a.error}</div>` : ''}</td></tr>`,
      )}</tbody></table>`}`;
}

/** Renders the self-contained status page (`GET /`). Every value from the database or CloudStack is escaped. */
export function renderStatusPage(data: StatusPageData): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>oma-reconciler</title>
<style>${new SafeHtml(STATUS_PAGE_CSS)}</style></head><body>
<header><h1>oma-reconciler</h1><span>mode <strong data-testid="mode">${data.mode}</strong></span>
<span>${data.leader ? 'leader' : 'follower (observing)'}</span><span>${sourceHealth(data)}</span>
<span class="muted">${data.generatedAt}</span><a href="/metrics">/metrics</a></header>
<main>${contextsSection(data)}${driftSection(data)}${actionsSection(data)}</main>
<dialog id="cleanup-dialog" aria-labelledby="cleanup-title"><h2 id="cleanup-title">Cleanup</h2>
<p>The cleanup will perform:</p><ol class="steps" id="cleanup-steps"></ol>
<div id="cleanup-token-row"><label for="cleanup-token">API token</label><input id="cleanup-token" type="password" autocomplete="off"></div>
<p id="cleanup-status" role="status"></p><p id="cleanup-error" class="error" role="alert" hidden></p>
<div><button id="cleanup-confirm" class="danger" type="button">Execute cleanup</button> <button id="cleanup-cancel" type="button">Cancel</button></div>
</dialog>
<script>${new SafeHtml(STATUS_PAGE_SCRIPT)}</script></body></html>`.value;
}
