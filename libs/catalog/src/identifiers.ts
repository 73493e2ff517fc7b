// Namespace and table names as users write them (`bronze.raw`, `bronze.raw.events`, or arrays of
// levels) turned into the validated levels the REST API wants, and back into dotted text for
// messages. Bad names are refused here, before any request, with a message saying what is wrong.

import type { Namespace, NamespaceInput, TableIdentifier, TableIdentifierInput } from './catalog.ts';
import { CatalogError } from './errors.ts';

export function toNamespace(input: NamespaceInput): Namespace {
  const levels = typeof input === 'string' ? input.split('.') : [...input];
  if (levels.length === 0) {
    throw new CatalogError(
      'invalid-argument',
      'a namespace needs at least one level, e.g. "bronze" or "bronze.raw"',
    );
  }
  const shown = typeof input === 'string' ? input : levels.join('.');
  for (const level of levels) {
    if (level.trim().length === 0) {
      throw new CatalogError(
        'invalid-argument',
        `namespace "${shown}" has an empty level; write levels separated by single dots, e.g. "bronze.raw"`,
        { context: { namespace: shown } },
      );
    }
  }
  return Object.freeze(levels);
}

export function toTableIdentifier(input: TableIdentifierInput): TableIdentifier {
  if (typeof input !== 'string') {
    const namespace = toNamespace(input.namespace);
    assertTableName(input.name, `${namespace.join('.')}.${input.name}`);
    return Object.freeze({ namespace, name: input.name });
  }
  const parts = input.split('.');
  if (parts.length < 2) {
    throw new CatalogError(
      'invalid-argument',
      `table "${input}" needs a namespace: write it as "<namespace>.<table>", e.g. "bronze.events"`,
      { context: { table: input } },
    );
  }
  const name = parts.pop() as string;
  assertTableName(name, input);
  return Object.freeze({ namespace: toNamespace(parts), name });
}

function assertTableName(name: string, shown: string): void {
  if (name.trim().length === 0) {
    throw new CatalogError('invalid-argument', `table "${shown}" has an empty name`, {
      context: { table: shown },
    });
  }
}

export function formatNamespace(namespace: Namespace): string {
  return namespace.join('.');
}

/** The one dotted-name helper, defined by @floe/iceberg. */
export { formatTable } from '@floe/iceberg';
