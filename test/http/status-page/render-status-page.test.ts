import { describe, expect, it } from 'vitest';
import { renderSections, renderStatusPage } from '../../../src/http/status-page/render-status-page.js';
import type { StatusPageData } from '../../../src/http/status-page/status-page-data.js';

const hostile = '<img src=x onerror=alert(1)>';

function data(overrides: Partial<StatusPageData> = {}): StatusPageData {
  return {
    health: {
      mode: 'enforce',
      leader: true,
      sources: {
        database: { complete: true, lastCompleteAt: '2026-11-23T11:59:58.000Z' },
        cloudstack: { complete: false, error: 'page 3 failed', lastCompleteAt: '2026-11-23T11:50:00.000Z' },
        nbd: { complete: true, lastCompleteAt: '2026-11-23T11:59:58.000Z' },
        devices: { complete: true, lastCompleteAt: null },
        'volume-daemon': { complete: true, lastCompleteAt: null },
      },
      lastPass: { finishedAt: '2026-11-23T11:59:59.000Z', durationSeconds: 0.42, result: 'partial' },
      trips: [],
      modeCeiling: null,
      mutationsEnabled: true,
    },
    plan: null,
    needsYou: {
      failedOperations: [
        {
          vmName: hostile,
          contextId: 'ctx-1',
          failoverJobId: 'f-1',
          operation: 'unified-test-failover',
          stuckSince: '2026-11-23T10:00:00.000Z',
          reason: 'job_tracking failed in step vm-creation "<script>"',
          steps: ['stop the test VM', 'revert snapshot </script><script>alert(2)</script>'],
          cleanup: null,
        },
      ],
      ownershipBlocked: [
        {
          type: 'volume',
          id: 'vol-1',
          name: hostile,
          kind: 'orphan-volume',
          detail: 'ownership checks failing: inLedger',
        },
      ],
      cleanupRequired: [],
      paused: [],
    },
    scheduledDeletions: [
      {
        volumeId: 'vol-2',
        name: 'migration-x',
        quarantinedAt: '2026-11-23T11:00:00.000Z',
        deleteAt: '2026-11-30T11:00:00.000Z',
        keepActionId: '17',
      },
    ],
    recentActions: [
      {
        id: '17',
        at: '2026-11-23T11:00:00.000Z',
        kind: 'orphan-volume',
        action: 'quarantine-volume',
        subject: 'migration-x',
        outcome: 'success',
        error: null,
        actor: 'daemon',
        undoable: true,
      },
      {
        id: '18',
        at: '2026-11-23T11:00:01.000Z',
        kind: 'orphan-row',
        action: 'fail-volume-operation',
        subject: hostile,
        outcome: 'error',
        error: 'boom',
        actor: 'daemon',
        undoable: false,
      },
    ],
    contexts: {
      query: '',
      page: 1,
      pageSize: 50,
      total: 2,
      rows: [
        { contextId: 'ctx-1', vmName: hostile, status: 'failed_over_test', currentJobId: null },
        { contextId: 'ctx-2', vmName: 'pgsql-01', status: 'ready_for_failover', currentJobId: null },
      ],
    },
    ...overrides,
  };
}

describe('renderStatusPage', () => {
  it('renders hostile VM names and step names as text, never as markup', () => {
    const page = renderStatusPage(data());
    expect(page).not.toContain(hostile);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('</script><script>alert(2)');
    expect(page.match(/<script>/g)).toHaveLength(1);
  });

  it('lists the stuck operation under Needs you with a Cleanup button, and the look-alike with Adopt', () => {
    const sections = renderSections(data());
    expect(sections.match(/data-testid="failed-operation"/g)).toHaveLength(1);
    expect(sections).toMatch(/data-act="cleanup" data-vm="&lt;img/);
    expect(sections).toMatch(/data-act="adopt" data-type="volume" data-id="vol-1"/);
  });

  it('replaces the Cleanup button by the cleanup state while a cleanup runs', () => {
    const d = data();
    const sections = renderSections({
      ...d,
      needsYou: {
        ...d.needsYou,
        failedOperations: d.needsYou.failedOperations.map((f) => ({
          ...f,
          cleanup: { status: 'running', jobId: 'f-1' },
        })),
      },
    });
    expect(sections).not.toContain('data-act="cleanup"');
    expect(sections).toContain('cleanup running');
  });

  it('offers Keep for a quarantine and Undo only for reversible successful actions', () => {
    const sections = renderSections(data());
    expect(sections).toMatch(/data-act="undo" data-action-id="17" data-label="keep volume migration-x">Keep/);
    expect(sections.match(/>Undo</g)).toHaveLength(1);
  });

  it('disables every changing button, visibly and with the reason, when no API token is configured', () => {
    const d = data();
    const sections = renderSections({ ...d, health: { ...d.health, mutationsEnabled: false } });
    const buttons = sections.match(/<button[^>]*data-act=[^>]*>/g) ?? [];
    expect(buttons.length).toBeGreaterThan(3);
    for (const b of buttons) expect(b).toContain('disabled title="disabled: no API_TOKEN is configured on the daemon"');
  });

  it('shows incomplete sources with their reason and the last pass', () => {
    const sections = renderSections(data());
    expect(sections).toContain('title="page 3 failed">cloudstack ✗ incomplete');
    expect(sections).toMatch(
      /last pass <time datetime="2026-11-23T11:59:59.000Z" data-rel>[^<]+<\/time> · 0\.42 s · partial/,
    );
  });

  it('shows a safety trip with a Reset button', () => {
    const d = data();
    const sections = renderSections({ ...d, health: { ...d.health, trips: ['budget'], modeCeiling: 'dry-run' } });
    expect(sections).toContain('safety: budget, mode ceiling dry-run');
    expect(sections).toContain('data-act="reset-safety"');
  });
});
