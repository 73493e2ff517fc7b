// Ordering and truncation of column bounds (spec §Manifests, metrics modes). Lower bounds may be
// truncated to a prefix (still ≤ every value); truncated upper bounds must still be ≥ every
// value, so the prefix's last code point (strings) or byte (binary) is incremented, carrying
// leftwards past values that cannot be incremented. If nothing can be incremented there is no
// valid upper bound and the caller omits it. Strings compare by Unicode code point, which is
// the order of their UTF-8 bytes (JS `<` compares UTF-16 units and disagrees above U+FFFF).

import type { PrimitiveType } from '../spec/types.ts';
import type { PrimitiveValue } from '../spec/values.ts';

const MAX_CODE_POINT = 0x10ffff;

export function compareStrings(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

/** Surrogates (U+D800–DFFF) encode code points above U+FFFF, so they rank above U+E000–FFFF. */
function codeUnitRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

export function truncateStringLower(value: string, codePoints: number): string {
  const points = Array.from(value);
  return points.length <= codePoints ? value : points.slice(0, codePoints).join('');
}

/** Smallest string of ≤ `codePoints` code points that is ≥ value; undefined if none exists. */
export function truncateStringUpper(value: string, codePoints: number): string | undefined {
  const points = Array.from(value);
  if (points.length <= codePoints) return value;
  const prefix = points.slice(0, codePoints).map((point) => point.codePointAt(0) as number);
  for (let i = prefix.length - 1; i >= 0; i--) {
    let next = (prefix[i] as number) + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // surrogates are not code points
    if (next <= MAX_CODE_POINT) return String.fromCodePoint(...prefix.slice(0, i), next);
  }
  return undefined;
}

export function truncateBytesLower(value: Uint8Array, length: number): Uint8Array {
  return value.length <= length ? value : value.slice(0, length);
}

/** Smallest byte string of ≤ `length` bytes that is ≥ value; undefined if none exists. */
export function truncateBytesUpper(value: Uint8Array, length: number): Uint8Array | undefined {
  if (value.length <= length) return value;
  for (let i = length - 1; i >= 0; i--) {
    if ((value[i] as number) < 0xff) {
      const out = value.slice(0, i + 1);
      out[i] = (out[i] as number) + 1;
      return out;
    }
  }
  return undefined;
}

export type Comparator = (a: PrimitiveValue, b: PrimitiveValue) => number;

/** Iceberg's order of two non-null values of a primitive type (uuid as text or as 16 bytes). */
export function comparatorFor(type: PrimitiveType): Comparator {
  switch (type.kind) {
    case 'string':
      return (a, b) => compareStrings(a as string, b as string);
    case 'uuid':
      return (a, b) =>
        typeof a === 'string'
          ? compareStrings(a.toLowerCase(), (b as string).toLowerCase())
          : compareBytes(a as Uint8Array, b as Uint8Array);
    case 'fixed':
    case 'binary':
      return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);
    case 'boolean':
      return (a, b) => Number(a) - Number(b);
    default:
      return (a, b) =>
        (a as number | bigint) < (b as number | bigint)
          ? -1
          : (a as number | bigint) > (b as number | bigint)
            ? 1
            : 0;
  }
}
