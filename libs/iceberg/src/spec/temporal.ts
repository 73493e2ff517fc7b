// Calendar arithmetic on Iceberg's temporal representations: dates as days since 1970-01-01
// (number), times as µs since midnight and timestamps as µs or ns since the epoch (bigint).
// Uses the proleptic Gregorian calendar with floor division, so values before 1970 land in the
// right day/month/year (−1 µs is 1969-12-31), and it works far beyond JS Date's range. Also
// formats and parses the ISO-8601 strings of the JSON single-value form and partition paths.

import { IcebergError } from '../errors.ts';

export const MICROS_PER_SECOND = 1_000_000n;
export const MICROS_PER_HOUR = 3_600_000_000n;
export const MICROS_PER_DAY = 86_400_000_000n;
export const NANOS_PER_MICRO = 1_000n;

export type TimeUnit = 'micros' | 'nanos';

export interface CivilDate {
  readonly year: number;
  readonly month: number; // 1..12
  readonly day: number; // 1..31
}

/** Floor division for bigint (rounds toward −∞, unlike `/`). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Modulo whose result has the sign of the divisor (always ≥ 0 for positive `b`). */
export function floorMod(a: bigint, b: bigint): bigint {
  return a - floorDiv(a, b) * b;
}

// Days ↔ civil date after Howard Hinnant's public-domain algorithms (eras of 400 years).
export function daysToCivil(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

export function civilToDays(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function unitsPerDay(unit: TimeUnit): bigint {
  return unit === 'micros' ? MICROS_PER_DAY : MICROS_PER_DAY * NANOS_PER_MICRO;
}

/** Days since epoch of a timestamp (floor), as a number. */
export function timestampToDays(value: bigint, unit: TimeUnit = 'micros'): number {
  return Number(floorDiv(value, unitsPerDay(unit)));
}

export function timestampToHours(value: bigint, unit: TimeUnit = 'micros'): number {
  const perHour = unit === 'micros' ? MICROS_PER_HOUR : MICROS_PER_HOUR * NANOS_PER_MICRO;
  return Number(floorDiv(value, perHour));
}

/** Years since 1970 of a day number. */
export function daysToYears(days: number): number {
  return daysToCivil(days).year - 1970;
}

/** Months since 1970-01 of a day number. */
export function daysToMonths(days: number): number {
  const { year, month } = daysToCivil(days);
  return (year - 1970) * 12 + (month - 1);
}

export function pad(value: number | bigint, width: number): string {
  return String(value).padStart(width, '0');
}

/** ISO year as java.time prints it: 4+ digits, `+` above 9999, `-` before year 0. */
export function formatYear(year: number): string {
  if (year < 0) return `-${pad(-year, 4)}`;
  return year > 9999 ? `+${year}` : pad(year, 4);
}

export function formatDate(days: number): string {
  const { year, month, day } = daysToCivil(days);
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

export interface FractionStyle {
  /** `fixed` always prints all digits (JSON form); `trim` omits a zero fraction (partition paths). */
  readonly fraction: 'fixed' | 'trim';
}

/** `HH:MM:SS.ffffff` for a time-of-day in the given unit. */
export function formatTimeOfDay(value: bigint, unit: TimeUnit, style: FractionStyle): string {
  const perSecond = unit === 'micros' ? MICROS_PER_SECOND : MICROS_PER_SECOND * NANOS_PER_MICRO;
  const seconds = value / perSecond;
  const fraction = value % perSecond;
  const hh = seconds / 3600n;
  const mm = (seconds / 60n) % 60n;
  const ss = seconds % 60n;
  const base = `${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}`;
  if (style.fraction === 'trim' && fraction === 0n) return base;
  return `${base}.${pad(fraction, unit === 'micros' ? 6 : 9)}`;
}

export function formatTimestamp(value: bigint, unit: TimeUnit, style: FractionStyle): string {
  const perDay = unitsPerDay(unit);
  const days = floorDiv(value, perDay);
  return `${formatDate(Number(days))}T${formatTimeOfDay(value - days * perDay, unit, style)}`;
}

const DATE = /^([+-]?\d{4,})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const ZONE = /(Z|[+-]\d{2}:\d{2})$/;

export function parseDate(text: string): number {
  const match = DATE.exec(text);
  if (!match) throw badTemporal(text, 'date', 'YYYY-MM-DD');
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const days = civilToDays(year, month, day);
  const check = daysToCivil(days);
  if (month < 1 || month > 12 || check.day !== day || check.month !== month) {
    throw badTemporal(text, 'date', 'a real calendar date');
  }
  return days;
}

/** Parses `HH:MM[:SS[.fffffffff]]` into the given unit. */
export function parseTimeOfDay(text: string, unit: TimeUnit): bigint {
  const match = TIME.exec(text);
  if (!match) throw badTemporal(text, 'time', 'HH:MM:SS.ffffff');
  const hh = BigInt(match[1]!);
  const mm = BigInt(match[2]!);
  const ss = BigInt(match[3] ?? '0');
  if (hh > 23n || mm > 59n || ss > 59n) throw badTemporal(text, 'time', 'a real time of day');
  const digits = unit === 'micros' ? 6 : 9;
  const rawFraction = match[4] ?? '';
  if (rawFraction.length > digits) throw badTemporal(text, 'time', `at most ${digits} fractional digits`);
  const fraction = BigInt(rawFraction.padEnd(digits, '0'));
  const perSecond = unit === 'micros' ? MICROS_PER_SECOND : MICROS_PER_SECOND * NANOS_PER_MICRO;
  return ((hh * 60n + mm) * 60n + ss) * perSecond + fraction;
}

/**
 * Parses `YYYY-MM-DDTHH:MM:SS[.f…][zone]`. With `zone: 'required'` an offset (`+00:00`, `Z`, or
 * any other, converted to UTC) must be present; with `'forbidden'` it must not.
 */
export function parseTimestamp(text: string, unit: TimeUnit, zone: 'required' | 'forbidden'): bigint {
  const zoneMatch = ZONE.exec(text);
  if (zone === 'required' && !zoneMatch)
    throw badTemporal(text, 'timestamptz', 'a zone offset such as +00:00');
  if (zone === 'forbidden' && zoneMatch) {
    throw badTemporal(text, 'timestamp', 'no zone offset');
  }
  const body = zone === 'required' ? text.slice(0, text.length - zoneMatch![0].length) : text;
  const separator = body.indexOf('T');
  if (separator < 0) throw badTemporal(text, 'timestamp', 'YYYY-MM-DDTHH:MM:SS.ffffff');
  const days = BigInt(parseDate(body.slice(0, separator)));
  const time = parseTimeOfDay(body.slice(separator + 1), unit);
  let value = days * unitsPerDay(unit) + time;
  const offset = zoneMatch?.[0];
  if (zone === 'required' && offset !== undefined && offset !== 'Z') {
    const sign = offset.startsWith('-') ? -1n : 1n;
    const minutes = BigInt(offset.slice(1, 3)) * 60n + BigInt(offset.slice(4, 6));
    const perMinute = (unit === 'micros' ? MICROS_PER_SECOND : MICROS_PER_SECOND * NANOS_PER_MICRO) * 60n;
    value -= sign * minutes * perMinute;
  }
  return value;
}

function badTemporal(text: string, kind: string, expected: string): IcebergError {
  return new IcebergError('invalid-value', `cannot read '${text}' as ${kind}: expected ${expected}`, {
    context: { value: text, type: kind },
  });
}
