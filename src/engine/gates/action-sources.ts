/**
 * Per action verb: the sources whose facts it relies on (the incomplete-source gate lets a
 * non-destructive action run when these are complete), and which verbs act on CloudStack objects
 * (they must carry ownership evidence) or are the workflows that repair a context in flight.
 */
import type { SourceName } from '../../world/drift-kinds.js';
import type { ActionVerb } from '../../reconcile/types.js';

/** Sources each action's own preconditions come from. */
export const ACTION_SOURCES: Readonly<Record<ActionVerb, readonly SourceName[]>> = {
  'quarantine-volume': ['database', 'cloudstack', 'volume-daemon'],
  'delete-volume': ['database', 'cloudstack', 'volume-daemon'],
  'delete-snapshot': ['database', 'cloudstack'],
  'attach-volume-to-oma': ['database', 'cloudstack', 'volume-daemon'],
  'remove-nbd-export': ['database', 'nbd'],
  'add-nbd-export': ['database', 'nbd'],
  'restart-nbd-server': ['nbd'],
  'delete-device-mapping': ['database', 'cloudstack'],
  'create-device-mapping': ['database', 'cloudstack'],
  'update-device-mapping': ['database', 'cloudstack'],
  'delete-row': ['database'],
  'fail-volume-operation': ['database'],
  'mark-replication-job-failed': ['database'],
  'clear-current-job': ['database'],
  'run-failed-execution-cleanup': ['database', 'cloudstack', 'volume-daemon'],
  'run-replication-job-cleanup': ['database', 'cloudstack', 'volume-daemon'],
  'refuse-cleanup-request': ['database'],
  'destroy-test-vm': ['database', 'cloudstack'],
};

/** Destructive verbs against CloudStack objects: without ownership evidence they never run. */
export const CLOUDSTACK_OBJECT_ACTIONS: ReadonlySet<ActionVerb> = new Set<ActionVerb>([
  'quarantine-volume',
  'delete-volume',
  'delete-snapshot',
  'destroy-test-vm',
]);

/** The workflow actions that exist to repair a context whose job is stuck; the in-flight gate passes them. */
export const WORKFLOW_ACTIONS: ReadonlySet<ActionVerb> = new Set<ActionVerb>([
  'run-failed-execution-cleanup',
  'run-replication-job-cleanup',
  'mark-replication-job-failed',
  'clear-current-job',
  'refuse-cleanup-request',
]);
