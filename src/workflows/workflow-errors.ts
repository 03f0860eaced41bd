/**
 * Why a workflow run ends early. Anything else thrown inside a run is transient: the request stays
 * `running` and the next pass resumes from the journal.
 */
import { NamedError } from '../errors.js';

/** Thrown when continuing could destroy data or act on something not ours: a human decides (request `failed`). */
export class WorkflowStopError extends NamedError {}

/** Thrown when the request's preconditions do not hold at run time (job active, failover in flight): request `refused`. */
export class WorkflowRefusedError extends NamedError {}

/** Thrown between steps when an operator cancelled the request (`cleanup cancel`). */
export class WorkflowCancelledError extends NamedError {}
