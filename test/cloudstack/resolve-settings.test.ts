import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { CloudStackSettingsError } from '../../src/cloudstack/errors.js';
import { resolveCloudStackSettings, type OsseaConfigRow } from '../../src/cloudstack/resolve-settings.js';
import { createCloudStackClient } from '../../src/cloudstack/create-cloudstack-client.js';
import { recordingCloudStackMetrics } from '../../src/cloudstack/cloudstack-metrics.js';
import { startSimulator } from '../../src/simulator/start-simulator.js';

const row: OsseaConfigRow = {
  api_url: 'http://10.0.0.5:8080/client/api',
  api_key: 'row-key',
  secret_key: 'row-secret',
  oma_vm_id: 'row-oma',
};

describe('CloudStack settings', () => {
  it('come from the active ossea_configs row by default', () => {
    const s = resolveCloudStackSettings(loadConfig({ env: {} }), row);
    expect(s).toMatchObject({
      apiUrl: 'http://10.0.0.5:8080/client/api',
      apiKey: 'row-key',
      secretKey: 'row-secret',
      omaVmId: 'row-oma',
    });
    expect(s.origin).toEqual({
      apiUrl: 'ossea_configs',
      apiKey: 'ossea_configs',
      secretKey: 'ossea_configs',
      omaVmId: 'ossea_configs',
    });
  });

  it('let each environment override win field by field', () => {
    const config = loadConfig({ env: { CLOUDSTACK_API_URL: 'http://127.0.0.1:8080', OMA_VM_ID: 'env-oma' } });
    const s = resolveCloudStackSettings(config, row);
    expect(s).toMatchObject({ apiUrl: 'http://127.0.0.1:8080/client/api', apiKey: 'row-key', omaVmId: 'env-oma' });
    expect(s.origin.apiUrl).toBe('config');
  });

  it('work from the environment alone when there is no active row; the OMA VM id may stay unknown', () => {
    const config = loadConfig({
      env: {
        CLOUDSTACK_API_URL: 'http://127.0.0.1:8080/client/api',
        CLOUDSTACK_API_KEY: 'k',
        CLOUDSTACK_SECRET_KEY: 's',
      },
    });
    expect(resolveCloudStackSettings(config, null)).toMatchObject({ apiKey: 'k', secretKey: 's', omaVmId: null });
  });

  it('name everything that is missing and where to set it, without echoing secrets', () => {
    const fn = () =>
      resolveCloudStackSettings(loadConfig({ env: {} }), {
        api_url: '',
        api_key: null,
        secret_key: ' ',
        oma_vm_id: null,
      });
    expect(fn).toThrow(CloudStackSettingsError);
    try {
      fn();
    } catch (e) {
      const err = e as CloudStackSettingsError;
      expect(err.missing).toHaveLength(3);
      expect(err.message).toContain('CLOUDSTACK_API_URL or ossea_configs.api_url');
      expect(err.message).toContain('CLOUDSTACK_API_KEY or ossea_configs.api_key');
      expect(err.message).toContain('CLOUDSTACK_SECRET_KEY or ossea_configs.secret_key');
    }
  });

  it('refuse a row whose URL is not a URL', () => {
    expect(() => resolveCloudStackSettings(loadConfig({ env: {} }), { ...row, api_url: 'not a url' })).toThrow(
      /valid API URL/,
    );
  });
});

describe('the configured client', () => {
  it('talks to the endpoint the settings name, with the configured page size', async () => {
    const sim = await startSimulator({ omaVm: { name: 'oma-appliance' } });
    try {
      const config = loadConfig({
        env: {
          CLOUDSTACK_API_URL: sim.url,
          CLOUDSTACK_API_KEY: sim.apiKey,
          CLOUDSTACK_SECRET_KEY: sim.secretKey,
          OMA_VM_ID: sim.omaVmId ?? '',
        },
      });
      const settings = resolveCloudStackSettings(config, null);
      expect(settings.omaVmId).toBe(sim.omaVmId);
      const metrics = recordingCloudStackMetrics();
      const client = createCloudStackClient(settings, { ...config.cloudstack, pageSize: 1 }, { metrics });
      sim.state.addVolume({ name: 'second' });
      const listed = await client.listVolumes();
      expect([listed.complete, listed.items.length]).toEqual([true, 2]);
      expect(metrics.count('listVolumes', 'success')).toBe(2);
    } finally {
      await sim.close();
    }
  });
});
