import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudStackClient } from '../../src/cloudstack/cloudstack-client.js';
import { observeCloudStack } from '../../src/cloudstack/observe-cloudstack.js';
import { startSimulator, type Simulator } from '../../src/simulator/start-simulator.js';

let sim: Simulator;
let client: CloudStackClient;

beforeAll(async () => {
  sim = await startSimulator();
  const oma = sim.state.addVirtualMachine({ name: 'oma' });
  const other = sim.state.addVirtualMachine({ name: 'someone-elses', account: 'tenant' });
  const data = sim.state.addVolume({ name: 'migration-vm1-vm1-disk-0', virtualMachineId: oma.id });
  sim.state.addSnapshot({ volumeId: data.id, name: 'multi-test-failover-disk-2000-1700000000' });
  sim.state.addVolume({ name: 'tenant-data', account: 'tenant', virtualMachineId: other.id });
  client = new CloudStackClient({
    apiUrl: sim.url,
    apiKey: sim.apiKey,
    secretKey: sim.secretKey,
    retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 },
  });
});
afterAll(async () => {
  await sim.close();
});

describe('observing CloudStack', () => {
  it('lists volumes, snapshots and VMs of every account and counts the inventory', async () => {
    const seen = await observeCloudStack(client);
    expect(seen.complete).toBe(true);
    expect(seen.error).toBeUndefined();
    expect(seen.facts.virtualMachines.map((v) => v.name).sort()).toEqual(['oma', 'someone-elses']);
    expect(seen.facts.volumes).toHaveLength(4);
    expect(seen.facts.snapshots).toHaveLength(1);
    expect(seen.inventory).toBe(7);
  });

  it('marks the source incomplete with the failing listing named when one listing fails', async () => {
    sim.faults.set('listSnapshots', { errorStatus: 530 });
    try {
      const seen = await observeCloudStack(client);
      expect(seen.complete).toBe(false);
      expect(seen.error).toMatch(/^listSnapshots: HTTP 530/);
      expect(seen.facts.volumes).toHaveLength(4);
    } finally {
      sim.faults.clear();
    }
  });
});
