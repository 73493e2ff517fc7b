// The local stack listens on loopback only: every listening socket of the running stack's ports,
// read from the kernel's own tables (/proc/net/tcp and tcp6), has a 127.0.0.0/8 or ::1 address.
// The Iceberg REST catalog jar binds every interface by itself; infra/local/catalog's launcher is
// what keeps it on 127.0.0.1, and this test fails if that ever regresses.

import { readFileSync } from 'node:fs';
import { loadStackEnv } from '@floe/test-support';
import { describe, expect, it } from 'vitest';

const LISTEN_STATE = '0A';

/** The kernel writes each 32-bit word of an address in host (little-endian) byte order. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) =>
    (word.match(/../g) ?? []).reverse().map((b) => Number.parseInt(b, 16)),
  );
  if (bytes.length === 4) return bytes.join('.');
  const mappedV4 = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mappedV4) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [address, portHex] = (fields[1] ?? '').split(':');
      if (
        fields[3] === LISTEN_STATE &&
        address !== undefined &&
        Number.parseInt(portHex ?? '', 16) === port
      ) {
        found.push(decodeAddress(address));
      }
    }
  }
  return found;
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address.startsWith('::ffff:127.') || address === '0:0:0:0:0:0:0:1';
}

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
