// Test helper: parquet-mr's rule (PARQUET-251) for whether a reader may trust a file's row-group
// statistics, re-implemented from its documented behaviour so floe's created_by can be checked
// without a JVM. Spark, Hive and Iceberg-Java read Parquet through parquet-mr and apply it:
// - only BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY columns are affected (the bug was in binary min/max);
// - created_by must match `<application> version <semver> (build <id>)` as a whole, where the
//   version and the build part may be missing; an empty or unmatched value means "ignore";
// - any application other than `parquet-mr` is trusted;
// - parquet-mr itself is trusted from 1.8.0 on (and in the CDH 1.5.0-cdh5.5.0… line), and only
//   when its version parses as a semantic version.
// Java regex semantics are kept: `\s` is ASCII whitespace only, `.` stops at line terminators, and
// the pattern must match the whole string.

const JAVA_SPACE = '[ \\t\\n\\x0B\\f\\r]';
const JAVA_ANY = '[^\\n\\r\\u0085\\u2028\\u2029]';
const CREATED_BY = new RegExp(
  `^(${JAVA_ANY}*?)${JAVA_SPACE}+version${JAVA_SPACE}*` +
    `(?:([^(]*?)${JAVA_SPACE}*(?:\\(${JAVA_SPACE}*build${JAVA_SPACE}*([^)]*?)${JAVA_SPACE}*\\))?)?$`,
);
const SEMANTIC_VERSION = /^(\d+)\.(\d+)\.(\d+)([^-+]*)?(?:-([^+]*))?(?:\+(.*))?$/;

/** Parquet Thrift physical types the rule looks at. */
export const BYTE_ARRAY = 6;
export const FIXED_LEN_BYTE_ARRAY = 7;

export interface ParsedCreatedBy {
  readonly application: string;
  readonly version?: string;
  readonly build?: string;
}

/** created_by split the way parquet-mr's VersionParser does; throws where it would. */
export function parseCreatedBy(createdBy: string): ParsedCreatedBy {
  const match = CREATED_BY.exec(createdBy);
  if (!match) throw new Error(`could not parse created_by: ${createdBy}`);
  const [, application = '', version, build] = match;
  if (application === '') throw new Error('application cannot be null or empty');
  return {
    application,
    ...(version ? { version } : {}),
    ...(build ? { build } : {}),
  };
}

interface SemanticVersion {
  readonly numbers: readonly [number, number, number];
  /** Text between patch and `-`/`+`: parquet-mr ranks such versions below the plain one. */
  readonly unknown: boolean;
  readonly prerelease?: readonly string[];
}

/** A semantic version as parquet-mr reads one; throws where it would. */
export function parseSemanticVersion(version: string): SemanticVersion {
  const match = SEMANTIC_VERSION.exec(version);
  if (!match) throw new Error(`${version} is not a semantic version`);
  const numbers = [match[1], match[2], match[3]].map((part) => {
    const value = Number(part);
    if (value > 2_147_483_647) throw new Error(`${part} overflows an int`);
    return value;
  }) as [number, number, number];
  return {
    numbers,
    unknown: (match[4] ?? '') !== '',
    ...(match[5] === undefined ? {} : { prerelease: match[5].split('.') }),
  };
}

function compareIdentifiers(a: string, b: string): number {
  const numericA = /^\d+$/.test(a);
  const numericB = /^\d+$/.test(b);
  if (numericA !== numericB) return numericA ? -1 : 1;
  if (numericA) return Math.sign(Number(a) - Number(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemanticVersions(a: SemanticVersion, b: SemanticVersion): number {
  for (let i = 0; i < 3; i++) {
    const difference = Math.sign((a.numbers[i] ?? 0) - (b.numbers[i] ?? 0));
    if (difference !== 0) return difference;
  }
  if (a.unknown !== b.unknown) return a.unknown ? -1 : 1;
  if (a.prerelease && b.prerelease) {
    const shared = Math.min(a.prerelease.length, b.prerelease.length);
    for (let i = 0; i < shared; i++) {
      const difference = compareIdentifiers(a.prerelease[i] ?? '', b.prerelease[i] ?? '');
      if (difference !== 0) return difference;
    }
    return Math.sign(a.prerelease.length - b.prerelease.length);
  }
  if (a.prerelease) return -1;
  return b.prerelease ? 1 : 0;
}

const FIXED = parseSemanticVersion('1.8.0');
const CDH_FIXED_FROM = parseSemanticVersion('1.5.0-cdh5.5.0');
const CDH_FIXED_BEFORE = parseSemanticVersion('1.5.0');

/** True when parquet-mr would ignore the statistics of a column of `physicalType` in the file. */
export function parquetMrIgnoresStatistics(createdBy: string | undefined, physicalType: number): boolean {
  if (physicalType !== BYTE_ARRAY && physicalType !== FIXED_LEN_BYTE_ARRAY) return false;
  if (!createdBy) return true;
  try {
    const parsed = parseCreatedBy(createdBy);
    if (parsed.application !== 'parquet-mr') return false;
    if (!parsed.version) return true;
    const version = parseSemanticVersion(parsed.version);
    const inCdhFix =
      compareSemanticVersions(version, CDH_FIXED_FROM) >= 0 &&
      compareSemanticVersions(version, CDH_FIXED_BEFORE) < 0;
    return compareSemanticVersions(version, FIXED) < 0 && !inCdhFix;
  } catch {
    return true;
  }
}
