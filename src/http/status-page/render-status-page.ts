/**
 * The status page, server-rendered section by section. Every value from the database or CloudStack
 * goes through the escaping `html` template. The same sections are served as a fragment
 * (`GET /status/sections`) that the page's script swaps in on change — no full reload.
 */
import { SafeHtml, html } from './escape-html.js';
import type { FailedOperation, StatusPageData } from './status-page-data.js';
import { STATUS_PAGE_CSS } from './status-page-style.js';
import { STATUS_PAGE_SCRIPT } from './status-page-script.js';

/** Drift items listed per kind; the rest are counted and left to `GET /api/v1/plan`. */
export const DRIFT_ROWS_PER_KIND = 25;

const STATUS_CLASS: Readonly<Record<string, string>> = {
  ready_for_failover: 'ok',
  replicating: 'warn',
  discovered: 'muted',
  failed: 'bad',
  cleanup_required: 'bad',
  failed_over_test: 'warn',
  failed_over_live: 'warn',
};

/** A timestamp the script keeps relative ("3 min ago", "in 2 h"); the text without script is the ISO time. */
function time(iso: string | null): SafeHtml {
  if (iso === null) return html`<span class="muted">never</span>`;
  return html`<time datetime="${iso}" data-rel>${iso}</time>`;
}

/** A button that changes something: disabled, visibly and with the reason, when no API token is configured. */
function actionButton(
  data: StatusPageData,
  label: string,
  attrs: Readonly<Record<string, string>>,
  cls = '',
): SafeHtml {
  const extra = Object.entries(attrs).map(([k, v]) => html` data-${k}="${v}"`);
  return data.health.mutationsEnabled
    ? html`<button type="button" class="${cls}"${extra}>${label}</button>`
    : html`<button type="button" class="${cls}" disabled title="disabled: no API_TOKEN is configured on the daemon"${extra}>${label}</button>`;
}

function healthSection(data: StatusPageData): SafeHtml {
  const h = data.health;
  const tripped = h.trips.length > 0 || h.modeCeiling !== null;
  return html`<section data-part="health" aria-label="Health"><div class="health">
    <span>mode <strong data-testid="mode">${h.mode}</strong></span>
    <span>${h.leader ? 'leader' : 'follower (observing)'}</span>
    ${Object.entries(h.sources).map(([name, s]) => html`<span class="pill ${s.complete ? 'ok' : 'bad'}" data-testid="source" title="${s.error ?? 'complete'}">${name} ${s.complete ? '✓' : '✗ incomplete'} ${time(s.lastCompleteAt)}</span>`)}
    <span data-testid="last-pass">last pass ${h.lastPass ? html`${time(h.lastPass.finishedAt)} · ${h.lastPass.durationSeconds.toFixed(2)} s · ${h.lastPass.result}` : html`<span class="muted">none yet</span>`}</span>
    ${
      tripped
        ? html`<span class="pill bad" data-testid="trips">safety: ${[...h.trips, ...(h.modeCeiling ? [`mode ceiling ${h.modeCeiling}`] : [])].join(', ')}</span> ${actionButton(data, 'Reset', { act: 'reset-safety' })}`
        : html`<span class="pill ok" data-testid="trips">safety: no trips</span>`
    }
  </div></section>`;
}

function failedOperation(data: StatusPageData, op: FailedOperation): SafeHtml {
  const cleanup =
    op.cleanup !== null && op.cleanup.status !== 'failed' && op.cleanup.status !== 'refused' ? op.cleanup : null;
  return html`<li class="item bad-item" data-testid="failed-operation" data-vm="${op.vmName}">
    <div class="row"><strong>⚠ ${op.operation} of ${op.vmName}</strong>
      ${
        cleanup
          ? html`<span class="pill">cleanup ${cleanup.status}</span>`
          : actionButton(
              data,
              'Cleanup',
              { act: 'cleanup', vm: op.vmName, operation: op.operation, steps: JSON.stringify(op.steps) },
              'danger',
            )
      }</div>
    <div>${op.stuckSince ? html`stuck since ${time(op.stuckSince)}` : 'failed'} · job <code>${op.failoverJobId}</code></div>
    <div class="muted">${op.reason}</div></li>`;
}

function needsYouSection(data: StatusPageData): SafeHtml {
  const n = data.needsYou;
  const count = n.failedOperations.length + n.ownershipBlocked.length + n.cleanupRequired.length + n.paused.length;
  return html`<section data-part="needs-you" aria-labelledby="h-needs"><h2 id="h-needs">Needs you <span class="count">${count}</span></h2>
    ${count === 0 ? html`<p class="ok" data-testid="nothing-needed">Nothing needs you.</p>` : ''}
    <ul class="items">
    ${n.failedOperations.map((op) => failedOperation(data, op))}
    ${n.ownershipBlocked.map(
      (
        o,
      ) => html`<li class="item" data-testid="ownership-blocked"><div class="row"><span><strong>${o.type} ${o.name ?? o.id}</strong> <span class="muted">${o.kind}</span></span>
      ${actionButton(data, 'Adopt', { act: 'adopt', type: o.type, id: o.id, name: o.name ?? o.id })}</div>
      <div class="muted"><code>${o.id}</code> — held by ownership: ${o.detail}</div></li>`,
    )}
    ${n.cleanupRequired.map((c) => html`<li class="item" data-testid="cleanup-required"><strong>${c.vmName}</strong> is cleanup_required <div class="muted">${c.reason}</div></li>`)}
    ${n.paused.map((p) => html`<li class="item" data-testid="paused"><strong>${p.type} ${p.name}</strong> is paused (report only) <div class="muted"><code>${p.id}</code></div></li>`)}
    </ul></section>`;
}

function deletionsSection(data: StatusPageData): SafeHtml {
  const list = data.scheduledDeletions;
  return html`<section data-part="deletions" aria-labelledby="h-del"><h2 id="h-del">Scheduled deletions <span class="count">${list.length}</span></h2>
    ${
      list.length === 0
        ? html`<p class="muted">No quarantined volume.</p>`
        : html`<ul class="items">${list.map(
            (d) => html`<li class="item" data-testid="scheduled-deletion" data-volume="${d.volumeId}">
      <div class="row"><span><strong>${d.name}</strong> deleted ${d.deleteAt ? time(d.deleteAt) : html`<span class="bad">never (tag is not a time)</span>`}</span>
      <span class="buttons">${d.keepActionId ? actionButton(data, 'Keep', { act: 'undo', 'action-id': d.keepActionId, label: `keep volume ${d.name}` }) : ''}
      ${actionButton(data, 'Delete now', { act: 'delete-now', volume: d.volumeId, name: d.name }, 'danger')}</span></div>
      <div class="muted"><code>${d.volumeId}</code> quarantined ${time(d.quarantinedAt)}</div></li>`,
          )}</ul>`
    }</section>`;
}

function driftSection(data: StatusPageData): SafeHtml {
  const plan = data.plan;
  if (!plan) {
    return html`<section data-part="drift" aria-labelledby="h-drift"><h2 id="h-drift">Drift</h2><p class="muted">No pass has completed yet.</p></section>`;
  }
  const byKind = new Map<string, (typeof plan.drift)[number][]>();
  for (const d of plan.drift) {
    const list = byKind.get(d.kind);
    if (list) list.push(d);
    else byKind.set(d.kind, [d]);
  }
  return html`<section data-part="drift" aria-labelledby="h-drift"><h2 id="h-drift">Drift <span class="count" data-testid="drift-count">${plan.summary.drift}</span>
    <span class="muted small">${plan.summary.actionsToRun} to run, ${plan.summary.actionsBlocked} blocked · observed ${time(plan.observedAt)}</span></h2>
    ${plan.drift.length === 0 ? html`<p class="ok" data-testid="no-drift">drift: 0</p>` : ''}
    ${[...byKind.entries()].map(
      ([
        kind,
        items,
      ]) => html`<details open data-testid="drift-kind" data-kind="${kind}"><summary><strong>${kind}</strong> <span class="count">${items.length}</span></summary>
      <div class="table-wrap"><table><thead><tr><th>subject</th><th>actions and gates</th><th class="hide-sm">evidence</th></tr></thead><tbody>
      ${items.slice(0, DRIFT_ROWS_PER_KIND).map(
        (
          d,
        ) => html`<tr><td>${d.subject.type} <strong>${d.subject.name ?? d.subject.id}</strong><div class="muted"><code>${d.subject.id}</code>${d.firstSeenAt ? html` · first seen ${time(d.firstSeenAt)}` : ''}</div></td>
        <td>${d.actions.length === 0 ? html`<span class="muted">report only</span>` : ''}${d.actions.map((a) => html`<div>${a.action}${a.destructive ? html` <span class="pill small">destructive</span>` : ''}: <span class="${a.decision === 'run' ? 'ok' : 'warn'}">${a.decision === 'run' ? 'will run' : `held by ${a.blockedBy ?? '?'}`}</span></div>`)}
        ${d.note ? html`<div class="muted">${d.note}</div>` : ''}</td>
        <td class="hide-sm">${d.evidence.map((e) => html`<div><span class="muted">${e.source}:</span> ${e.fact}</div>`)}</td></tr>`,
      )}
      </tbody></table></div>${items.length > DRIFT_ROWS_PER_KIND ? html`<p class="muted">and ${items.length - DRIFT_ROWS_PER_KIND} more — the full list is in <a href="/api/v1/plan">/api/v1/plan</a></p>` : ''}</details>`,
    )}
    </section>`;
}

function actionsSection(data: StatusPageData): SafeHtml {
  const list = data.recentActions;
  return html`<section data-part="actions" aria-labelledby="h-actions"><h2 id="h-actions">Recent actions</h2>${
    list.length === 0
      ? html`<p class="muted">None recorded.</p>`
      : html`<div class="table-wrap"><table><thead><tr><th>id</th><th>when</th><th>action</th><th>subject</th><th>outcome</th><th></th></tr></thead><tbody>${list.map(
          (
            a,
          ) => html`<tr data-testid="action-row" data-action-id="${a.id}"><td><code>${a.id}</code></td><td>${time(a.at)}</td><td>${a.action}<div class="muted small">${a.kind} · ${a.actor}</div></td><td class="break">${a.subject}</td>
        <td class="${a.outcome === 'success' ? 'ok' : a.outcome === 'error' ? 'bad' : ''}">${a.outcome}${a.error ? html`<div class="error small">${a.error}</div>` : ''}</td>
        <td>${a.undoable ? actionButton(data, 'Undo', { act: 'undo', 'action-id': a.id, label: `undo ${a.action} of ${a.subject}` }) : ''}</td></tr>`,
        )}</tbody></table></div>`
  }</section>`;
}

function contextsSection(data: StatusPageData): SafeHtml {
  const c = data.contexts;
  const pages = Math.max(1, Math.ceil(c.total / c.pageSize));
  return html`<section data-part="contexts" aria-labelledby="h-ctx"><h2 id="h-ctx">VM contexts <span class="count" data-testid="context-total">${c.total}</span></h2>
    <div class="table-wrap"><table><thead><tr><th>VM</th><th>status</th><th class="hide-sm">context</th><th class="hide-sm">current job</th></tr></thead><tbody>
    ${c.rows.map(
      (
        r,
      ) => html`<tr data-testid="vm-row" data-vm="${r.vmName}"><td class="vm-name break">${r.vmName}</td><td><span class="pill ${STATUS_CLASS[r.status] ?? ''}" data-testid="vm-status">${r.status}</span></td>
      <td class="hide-sm"><code>${r.contextId}</code></td><td class="hide-sm">${r.currentJobId ? html`<code>${r.currentJobId}</code>` : ''}</td></tr>`,
    )}
    </tbody></table></div>
    <nav class="pager" aria-label="VM context pages"><button type="button" data-page="${c.page - 1}" ${c.page <= 1 ? 'disabled' : ''}>‹ Previous</button>
      <span data-testid="page-info">page ${c.page} of ${pages}</span>
      <button type="button" data-page="${c.page + 1}" ${c.page >= pages ? 'disabled' : ''}>Next ›</button></nav></section>`;
}

/** The live part of the page: every section, as the fragment route serves it. */
export function renderSections(data: StatusPageData): string {
  return html`${healthSection(data)}${needsYouSection(data)}${deletionsSection(data)}${driftSection(data)}${actionsSection(data)}${contextsSection(data)}`
    .value;
}

/** Renders the self-contained status page (`GET /`). */
export function renderStatusPage(data: StatusPageData): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>oma-reconciler</title>
<style>${new SafeHtml(STATUS_PAGE_CSS)}</style></head><body>
<header><h1>oma-reconciler</h1><span class="muted small" id="live" role="status" aria-live="polite">live</span>
<form id="search" role="search"><label for="q" class="sr-only">Search VM contexts</label><input id="q" name="q" type="search" placeholder="Search VM contexts" value="${data.contexts.query}" autocomplete="off"></form>
<nav class="links"><a href="/api/v1/plan">plan</a> <a href="/metrics">metrics</a></nav></header>
<main id="console" data-page="${data.contexts.page}">${new SafeHtml(renderSections(data))}</main>
<dialog id="cleanup-dialog" aria-labelledby="cleanup-title"><h2 id="cleanup-title">Cleanup</h2>
<p>The cleanup will perform:</p><ol class="steps" id="cleanup-steps"></ol>
<div id="cleanup-progress-box" hidden><p>Progress (the workflow's own steps, as it records them):</p><ol class="steps" id="cleanup-progress"></ol></div>
<div id="cleanup-token-row"><label for="cleanup-token">API token</label><input id="cleanup-token" type="password" autocomplete="off"></div>
<p id="cleanup-status" role="status"></p><p id="cleanup-error" class="error" role="alert" hidden></p>
<div class="dialog-buttons"><button id="cleanup-confirm" class="danger" type="button">Execute cleanup</button> <button id="cleanup-cancel" type="button">Close</button></div>
</dialog>
<dialog id="act-dialog" aria-labelledby="act-title"><h2 id="act-title">Confirm</h2><p id="act-text"></p>
<div id="act-reason-row" hidden><label for="act-reason">Reason (recorded)</label><input id="act-reason" type="text" maxlength="400" autocomplete="off"></div>
<div id="act-token-row"><label for="act-token">API token</label><input id="act-token" type="password" autocomplete="off"></div>
<p id="act-status" role="status"></p><p id="act-error" class="error" role="alert" hidden></p>
<div class="dialog-buttons"><button id="act-confirm" type="button">Confirm</button> <button id="act-cancel" type="button">Close</button></div>
</dialog>
<script>${new SafeHtml(STATUS_PAGE_SCRIPT)}</script></body></html>`.value;
}
