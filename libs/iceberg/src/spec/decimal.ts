// Decimals as Iceberg carries them: an unscaled `bigint` plus the scale from the column type.
// Converts to and from the spec's string form ("14.20", "2E+20" for negative scales) and the
// minimal two's-complement big-endian bytes used for bounds and bucket hashing.

import { IcebergError } from '../errors.ts';

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** `14.20` for (1420n, 2); `2E+20` for (2n, -20), as the JSON single-value form wants. */
export function decimalToString(unscaled: bigint, scale: number): string {
  if (scale < 0) return `${unscaled}E+${-scale}`;
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

/**
 * Parses decimal text into the unscaled value at `scale`. Fewer fractional digits are padded
 * (`"1.5"` at scale 2 → 150n); more are accepted only when the extra digits are zeros.
 */
export function parseDecimal(text: string, scale: number): bigint {
  const match = DECIMAL_TEXT.exec(text.trim());
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) {
    throw new IcebergError('invalid-value', `cannot read '${text}' as a decimal number`, {
      context: { value: text },
    });
  }
  const sign = match[1] === '-' ? -1n : 1n;
  const fraction = match[3] ?? '';
  const exponent = Number(match[4] ?? '0');
  // value = digits × 10^(exponent − fraction.length)
  const digits = BigInt(`${match[2]}${fraction}` || '0');
  const shift = exponent - fraction.length + scale;
  if (shift >= 0) return sign * digits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  if (digits % divisor !== 0n) {
    throw new IcebergError(
      'invalid-value',
      `decimal '${text}' has more than ${scale} digits after the point`,
      {
        context: { value: text, scale },
      },
    );
  }
  return (sign * digits) / divisor;
}

/** Number of decimal digits in |unscaled| (0 has one digit). */
export function decimalDigits(unscaled: bigint): number {
  return (unscaled < 0n ? -unscaled : unscaled).toString().length;
}

/** Minimal two's-complement big-endian bytes (Java `BigInteger.toByteArray`). */
export function decimalToBytes(unscaled: bigint): Uint8Array {
  // Bits needed excluding the sign bit: for negatives, the magnitude of ~v.
  const magnitude = unscaled < 0n ? -unscaled - 1n : unscaled;
  const bitLength = magnitude === 0n ? 0 : magnitude.toString(2).length;
  const length = Math.floor(bitLength / 8) + 1;
  const bytes = new Uint8Array(length);
  let rest = BigInt.asUintN(length * 8, unscaled);
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}

/** Reads big-endian two's-complement bytes of any length (also the padded fixed-length form). */
export function bytesToDecimal(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return BigInt.asIntN(bytes.length * 8, value);
}
