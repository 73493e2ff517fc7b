// 32-bit Murmur3 (x86 variant, seed 0) and the per-type hashing rules of spec Appendix B that the
// bucket transform is built on. All integer-like types hash as 8-byte little-endian longs so a
// column promoted from int to long keeps its buckets; decimals hash their minimal big-endian
// unscaled bytes; uuids their 16 big-endian bytes; strings their UTF-8 bytes.

import { decimalToBytes } from './decimal.ts';
import { uuidToBytes } from './values.ts';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK1(k: number): number {
  let k1 = Math.imul(k, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  return Math.imul(k1, C2);
}

function mixH1(h: number, k1: number): number {
  let h1 = h ^ k1;
  h1 = (h1 << 13) | (h1 >>> 19);
  return (Math.imul(h1, 5) + 0xe6546b64) | 0;
}

function finalize(h: number, length: number): number {
  let h1 = h ^ length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 | 0;
}

/** Murmur3 x86 32-bit of `bytes` with seed 0, as a signed 32-bit integer (Java's int). */
export function murmur3Hash32(bytes: Uint8Array, seed = 0): number {
  let h1 = seed | 0;
  const blocks = bytes.length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const o = i * 4;
    const k = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24);
    h1 = mixH1(h1, mixK1(k));
  }
  const tail = blocks * 4;
  const remaining = bytes.length & 3;
  if (remaining > 0) {
    let k1 = 0;
    if (remaining === 3) k1 ^= bytes[tail + 2]! << 16;
    if (remaining >= 2) k1 ^= bytes[tail + 1]! << 8;
    k1 ^= bytes[tail]!;
    h1 ^= mixK1(k1);
  }
  return finalize(h1, bytes.length);
}

const utf8 = new TextEncoder();

/** `hashLong`: the 8 little-endian bytes of a 64-bit integer. */
export function hashLong(value: bigint | number): number {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, BigInt(value), true);
  return murmur3Hash32(bytes);
}

/** `hashInt` is defined as `hashLong(long(v))` so int and long agree. */
export function hashInt(value: number): number {
  return hashLong(value);
}

export function hashString(value: string): number {
  return murmur3Hash32(utf8.encode(value));
}

export function hashDecimal(unscaled: bigint): number {
  return murmur3Hash32(decimalToBytes(unscaled));
}

export function hashUuid(uuid: string): number {
  return murmur3Hash32(uuidToBytes(uuid));
}

export function hashBytes(bytes: Uint8Array): number {
  return murmur3Hash32(bytes);
}
