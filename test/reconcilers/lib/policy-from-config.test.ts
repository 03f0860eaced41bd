import { describe, expect, it } from 'vitest';
import { policyFromConfig } from '../../../reconcilers/lib/policy-from-config.js';
import { configSchema } from '../../../src/config/config-schema.js';
import { testPolicy } from '../../fixtures-world/world-builder.js';

describe('policyFromConfig', () => {
  it('gives the configuration defaults, which the fixture policy mirrors', () => {
    expect(policyFromConfig(configSchema.parse({}))).toEqual(testPolicy());
  });

  it('carries overrides of the OMA VM id, thresholds and directories', () => {
    const policy = policyFromConfig(
      configSchema.parse({
        cloudstack: { omaVmId: 'vm-123' },
        quarantineTtlSeconds: 60,
        thresholds: { stuckVirtioSeconds: 9000 },
        deviceByIdDir: '/tmp/by-id',
      }),
    );
    expect(policy).toMatchObject({
      omaVmId: 'vm-123',
      quarantineTtlSeconds: 60,
      stuckVirtioSeconds: 9000,
      deviceByIdDir: '/tmp/by-id',
    });
  });
});
