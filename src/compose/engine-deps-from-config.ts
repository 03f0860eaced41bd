import { createEngineDeps, type CreateEngineDepsOptions } from '../engine/create-engine-deps.js';
import type { EngineDeps } from '../engine/engine-deps.js';
import { createWorkflows } from '../workflows/index.js';
import { policyFromConfig } from '../../reconcilers/lib/policy-from-config.js';

/**
 * The engine's dependencies as every entry point (daemon, CLI, demo) wires them: the cleanup
 * workflows run under the configured policy; only who acts (`actor`) and the extras differ.
 */
export function engineDepsFromConfig(options: Omit<CreateEngineDepsOptions, 'workflows'>): EngineDeps {
  return createEngineDeps({ ...options, workflows: createWorkflows({ policy: policyFromConfig(options.config) }) });
}
