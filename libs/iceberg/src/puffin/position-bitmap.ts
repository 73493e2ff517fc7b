// A set of row positions (non-negative integers) in the 64-bit Roaring "portable" serialization
// that Iceberg deletion vectors use (RoaringFormatSpec, "Extension for 64-bit implementations"):
// an 8-byte little-endian count of 32-bit bitmaps, then for each, ordered by its unsigned 32-bit
// key (the position's high 4 bytes), the key (4 bytes LE) and a standard 32-bit Roaring bitmap of
// the low 4 bytes. A 32-bit bitmap is a cookie, a descriptive header (16-bit container key,
// cardinality − 1), an offset header, and containers that are sorted 16-bit arrays (cardinality
// ≤ 4096), 8 KiB bitsets, or runs. Reading accepts all three container kinds and both cookies;
// writing uses array and bitset containers only (the no-run cookie), which every reader accepts.
//
// In memory each 65,536-position chunk is one bitset, keyed by `position / 65536`; positions are
// JS numbers, exact up to 2^53 (no data file has more rows than that).

import { IcebergError } from '../errors.ts';

const SERIAL_COOKIE_NO_RUNCONTAINER = 12346;
const SERIAL_COOKIE = 12347;
const NO_OFFSET_THRESHOLD = 4;
const ARRAY_MAX_CARDINALITY = 4096;
const CHUNK = 65536;
const WORDS = CHUNK / 32;
const KEY32 = 2 ** 32;

function popcount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function malformed(detail: string): IcebergError {
  return new IcebergError('invalid-metadata', `deletion vector bitmap is malformed: ${detail}`, {
    context: { detail },
  });
}

export class PositionBitmap {
  /** Chunk index (position / 65536) → bitset of its 65,536 positions. */
  readonly #chunks = new Map<number, Uint32Array>();
  #lastKey = -1;
  #lastChunk: Uint32Array | undefined;

  static of(positions: Iterable<number>): PositionBitmap {
    const bitmap = new PositionBitmap();
    for (const position of positions) bitmap.add(position);
    return bitmap;
  }

  add(position: number): void {
    if (!Number.isSafeInteger(position) || position < 0) {
      throw new IcebergError('invalid-argument', `row position ${position} is not a non-negative integer`, {
        context: { position: String(position) },
      });
    }
    const key = Math.floor(position / CHUNK);
    let chunk = this.#chunks.get(key);
    if (chunk === undefined) {
      chunk = new Uint32Array(WORDS);
      this.#chunks.set(key, chunk);
    }
    const low = position - key * CHUNK;
    chunk[low >>> 5]! |= 1 << (low & 31);
  }

  has(position: number): boolean {
    const key = Math.floor(position / CHUNK);
    if (key !== this.#lastKey) {
      this.#lastKey = key;
      this.#lastChunk = this.#chunks.get(key);
    }
    const chunk = this.#lastChunk;
    if (chunk === undefined) return false;
    const low = position - key * CHUNK;
    return (chunk[low >>> 5]! & (1 << (low & 31))) !== 0;
  }

  /** Adds every position of `other`. */
  addAll(other: PositionBitmap): void {
    for (const [key, words] of other.#chunks) {
      const mine = this.#chunks.get(key);
      if (mine === undefined) this.#chunks.set(key, words.slice());
      else for (let i = 0; i < WORDS; i++) mine[i]! |= words[i]!;
    }
    this.#lastKey = -1;
  }

  get cardinality(): number {
    let total = 0;
    for (const words of this.#chunks.values()) for (const word of words) total += popcount(word);
    return total;
  }

  /** Positions in ascending order. */
  *values(): Generator<number> {
    for (const key of [...this.#chunks.keys()].sort((a, b) => a - b)) {
      const words = this.#chunks.get(key)!;
      for (let w = 0; w < WORDS; w++) {
        let word = words[w]!;
        while (word !== 0) {
          const bit = 31 - Math.clz32(word & -word);
          yield key * CHUNK + w * 32 + bit;
          word &= word - 1;
        }
      }
    }
  }

  /** The 64-bit portable serialization (see header). */
  serialize(): Uint8Array {
    // Non-empty containers grouped by their 32-bit key, both levels in ascending order.
    const groups = new Map<number, { key16: number; words: Uint32Array; cardinality: number }[]>();
    for (const key of [...this.#chunks.keys()].sort((a, b) => a - b)) {
      const words = this.#chunks.get(key)!;
      let cardinality = 0;
      for (const word of words) cardinality += popcount(word);
      if (cardinality === 0) continue;
      const key32 = Math.floor(key / CHUNK);
      const list = groups.get(key32) ?? [];
      list.push({ key16: key % CHUNK, words, cardinality });
      groups.set(key32, list);
    }
    let size = 8;
    for (const containers of groups.values()) {
      size += 4 + 8 + containers.length * 8;
      for (const c of containers) size += c.cardinality <= ARRAY_MAX_CARDINALITY ? c.cardinality * 2 : 8192;
    }
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    view.setBigUint64(0, BigInt(groups.size), true);
    let at = 8;
    for (const [key32, containers] of groups) {
      view.setUint32(at, key32, true);
      at += 4;
      const start = at;
      view.setUint32(at, SERIAL_COOKIE_NO_RUNCONTAINER, true);
      view.setUint32(at + 4, containers.length, true);
      at += 8;
      for (const c of containers) {
        view.setUint16(at, c.key16, true);
        view.setUint16(at + 2, c.cardinality - 1, true);
        at += 4;
      }
      let offset = 8 + containers.length * 8;
      for (const c of containers) {
        view.setUint32(at, offset, true);
        at += 4;
        offset += c.cardinality <= ARRAY_MAX_CARDINALITY ? c.cardinality * 2 : 8192;
      }
      for (const c of containers) {
        if (c.cardinality <= ARRAY_MAX_CARDINALITY) {
          for (let w = 0; w < WORDS; w++) {
            let word = c.words[w]!;
            while (word !== 0) {
              view.setUint16(at, w * 32 + (31 - Math.clz32(word & -word)), true);
              at += 2;
              word &= word - 1;
            }
          }
        } else {
          for (let w = 0; w < WORDS; w++) {
            view.setUint32(at, c.words[w]!, true);
            at += 4;
          }
        }
      }
      if (at - start !== offset) throw malformed('internal size mismatch while serializing');
    }
    return out;
  }

  static deserialize(bytes: Uint8Array): PositionBitmap {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const need = (at: number, length: number, what: string) => {
      if (at + length > bytes.byteLength)
        throw malformed(`${what} runs past the end (${bytes.byteLength} bytes)`);
    };
    need(0, 8, 'bitmap count');
    const count = view.getBigUint64(0, true);
    const bitmap = new PositionBitmap();
    let at = 8;
    let previousKey = -1;
    for (let i = 0n; i < count; i++) {
      need(at, 4, 'bitmap key');
      const key32 = view.getUint32(at, true);
      if (key32 <= previousKey) throw malformed('32-bit bitmap keys are not in ascending order');
      if (key32 >= 2 ** 21) throw malformed(`position key ${key32} is beyond 2^53`);
      previousKey = key32;
      at = bitmap.#read32(view, at + 4, key32 * KEY32, need);
    }
    if (at !== bytes.byteLength) throw malformed(`${bytes.byteLength - at} trailing bytes`);
    return bitmap;
  }

  /** Reads one 32-bit Roaring bitmap at `at` into positions `base + value`; returns its end. */
  #read32(
    view: DataView,
    start: number,
    base: number,
    need: (at: number, length: number, what: string) => void,
  ): number {
    let at = start;
    need(at, 4, 'cookie');
    const cookie = view.getUint32(at, true);
    at += 4;
    let size: number;
    let runFlags: Uint8Array | undefined;
    if (cookie === SERIAL_COOKIE_NO_RUNCONTAINER) {
      need(at, 4, 'container count');
      size = view.getUint32(at, true);
      at += 4;
    } else if ((cookie & 0xffff) === SERIAL_COOKIE) {
      size = (cookie >>> 16) + 1;
      const flagBytes = Math.ceil(size / 8);
      need(at, flagBytes, 'run flags');
      runFlags = new Uint8Array(view.buffer, view.byteOffset + at, flagBytes);
      at += flagBytes;
    } else {
      throw malformed(`unknown cookie ${cookie}`);
    }
    if (size > CHUNK) throw malformed(`${size} containers in one 32-bit bitmap`);
    need(at, size * 4, 'descriptive header');
    const keys: number[] = [];
    const cardinalities: number[] = [];
    for (let i = 0; i < size; i++) {
      keys.push(view.getUint16(at, true));
      cardinalities.push(view.getUint16(at + 2, true) + 1);
      at += 4;
    }
    if (runFlags === undefined || size >= NO_OFFSET_THRESHOLD) {
      need(at, size * 4, 'offset header');
      at += size * 4;
    }
    for (let i = 0; i < size; i++) {
      const chunkBase = base + keys[i]! * CHUNK;
      const isRun = runFlags !== undefined && (runFlags[i >>> 3]! & (1 << (i & 7))) !== 0;
      if (isRun) {
        need(at, 2, 'run count');
        const runs = view.getUint16(at, true);
        at += 2;
        need(at, runs * 4, 'runs');
        for (let r = 0; r < runs; r++) {
          const first = view.getUint16(at, true);
          const length = view.getUint16(at + 2, true) + 1;
          at += 4;
          if (first + length > CHUNK) throw malformed('a run passes the end of its container');
          for (let v = first; v < first + length; v++) this.add(chunkBase + v);
        }
      } else if (cardinalities[i]! <= ARRAY_MAX_CARDINALITY) {
        need(at, cardinalities[i]! * 2, 'array container');
        for (let v = 0; v < cardinalities[i]!; v++) this.add(chunkBase + view.getUint16(at + v * 2, true));
        at += cardinalities[i]! * 2;
      } else {
        need(at, 8192, 'bitset container');
        const key = chunkBase / CHUNK;
        const words = new Uint32Array(WORDS);
        for (let w = 0; w < WORDS; w++) words[w] = view.getUint32(at + w * 4, true);
        const existing = this.#chunks.get(key);
        if (existing === undefined) this.#chunks.set(key, words);
        else for (let w = 0; w < WORDS; w++) existing[w]! |= words[w]!;
        at += 8192;
      }
    }
    this.#lastKey = -1;
    return at;
  }
}
