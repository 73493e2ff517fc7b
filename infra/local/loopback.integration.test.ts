// The local stack listens on loopback only: every listening socket of the running stack's ports,
// read from the kernel's own tables (/proc/net/tcp and tcp6), has a 127.0.0.0/8 or ::1 address.
// The Iceberg REST catalog jar binds every interface by itself; infra/local/catalog's launcher is
// what keeps it on 127.0.0.1, and this test fails if that ever regresses.

import {
  decodeKernelAddress as decodeAddress,
  isLoopbackAddress as isLoopback,
  listeningAddresses,
  loadStackEnv,
} from '@floe/test-support';
import { describe, expect, it } from 'vitest';

describe('the local stack binds loopback only', () => {
  const stack = loadStackEnv();
  const services = {
    redis: new URL(stack.redisUrl),
    minio: new URL(stack.s3Endpoint),
    catalog: new URL(stack.catalogUri),
  };

  it('decodes the kernel address format', () => {
    expect(decodeAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeAddress('00000000')).toBe('0.0.0.0');
    expect(decodeAddress('00000000000000000000000001000000')).toBe('0:0:0:0:0:0:0:1');
    expect(decodeAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(decodeAddress('00000000000000000000000000000000')).toBe('0:0:0:0:0:0:0:0');
  });

  for (const [name, url] of Object.entries(services)) {
    it(`${name} listens on loopback addresses only`, () => {
      const addresses = listeningAddresses(Number(url.port));
      expect(addresses.length, `${name} has a listening socket on port ${url.port}`).toBeGreaterThan(0);
      expect(addresses.filter((address) => !isLoopback(address))).toEqual([]);
    });
  }
});
