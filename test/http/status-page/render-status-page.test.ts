import { describe, expect, it } from 'vitest';
import { renderStatusPage } from '../../../src/http/status-page/render-status-page.js';
import type { StatusPageData } from '../../../src/http/status-page/status-page-data.js';

const hostile = '<img src=x onerror=alert(1)>';

function data(overrides: Partial<StatusPageData> = {}): StatusPageData {
  return {
    generatedAt: '2026-11-23T12:00:00.000Z',
    mode: 'enforce',
    leader: true,
    sources: { database: { complete: true }, cloudstack: { complete: false, error: 'page 3 failed' }, nbd: { complete: true }, devices: { complete: true }, 'volume-daemon': { complete: true } },
    contexts: [
      { contextId: 'ctx-1', vmName: hostile, status: 'failed_over_test', currentJobId: null },
      { contextId: 'ctx-2', vmName: 'pgsql-01', status: 'ready_for_failover', currentJobId: null },
    ],
    plan: null,
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
    recentActions: [],
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

  it('shows a Failed Operation banner with a Cleanup button only on the stuck VM', () => {
    const page = renderStatusPage(data());
    expect(page.match(/data-testid="failed-banner"/g)).toHaveLength(1);
    expect(page).toContain('unified-test-failover — stuck since 2026-11-23T10:00:00.000Z');
    expect(page).toMatch(/data-cleanup-vm="&lt;img/);
  });

  it('replaces the button by the cleanup state while a cleanup runs', () => {
    const running = data();
    const page = renderStatusPage({
      ...running,
      failedOperations: running.failedOperations.map((f) => ({ ...f, cleanup: { status: 'running', jobId: 'f-1' } })),
    });
    expect(page).not.toContain('data-cleanup-vm=');
    expect(page).toContain('cleanup running');
  });

  it('shows incomplete sources with their reason', () => {
    expect(renderStatusPage(data())).toContain('title="page 3 failed">cloudstack: incomplete');
  });
});
