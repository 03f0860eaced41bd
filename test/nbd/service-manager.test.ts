import { describe, expect, it } from 'vitest';
import { cgroupPathOf, serviceOfCgroup } from '../../src/nbd/service-manager.js';

describe('the service an nbd-server runs in', () => {
  it('reads the cgroup path from the name=systemd hierarchy first, else the unified line', () => {
    expect(cgroupPathOf('0::/system.slice/nbd-server.service\n')).toBe('/system.slice/nbd-server.service');
    expect(cgroupPathOf('12:pids:/x\n1:name=systemd:/system.slice/nbd-server.service\n0::/\n')).toBe(
      '/system.slice/nbd-server.service',
    );
    expect(cgroupPathOf('4:memory:/x\n')).toBeNull();
  });

  it('names the innermost service, and none for scopes, slices or the root', () => {
    expect(serviceOfCgroup('/system.slice/nbd-server.service')).toBe('nbd-server.service');
    expect(serviceOfCgroup('/system.slice/nbd-server@x.service/sub')).toBe('nbd-server@x.service');
    expect(serviceOfCgroup('/user.slice/user-0.slice/session-3.scope')).toBeNull();
    expect(serviceOfCgroup('/')).toBeNull();
  });
});
