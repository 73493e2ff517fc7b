// Which addresses a local TCP port is listening on, read from the kernel's own tables
// (/proc/net/tcp and tcp6), so a test can prove a server binds loopback — or every interface —
// whatever the server says about itself.
import { readFileSync } from 'node:fs';

const LISTEN_STATE = '0A';

/** The kernel writes each 32-bit word of an address in host (little-endian) byte order. */
export function decodeKernelAddress(hex: string): string {
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

/** Every address with a listening socket on `port` (IPv4 and IPv6). */
export function listeningAddresses(port: number): string[] {
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
        found.push(decodeKernelAddress(address));
      }
    }
  }
  return found;
}

export function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address.startsWith('::ffff:127.') || address === '0:0:0:0:0:0:0:1';
}
