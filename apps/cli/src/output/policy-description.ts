// The "Polaris policies" part of `floe table describe`: every policy that applies to the table
// as the catalog resolved it (attached to the table, or inherited from a namespace or the
// catalog), with its content, so an operator sees what the maintenance worker will obey. A
// catalog without the policy API gets no section in text and `null` in JSON.
import type { TablePolicies } from '@floe/catalog';
import { renderTextTable } from './text-table.ts';

export interface PolicyRow {
  readonly name: string;
  readonly type: string;
  readonly version: number;
  /** `table` (attached to it) or `inherited` (from a namespace or the catalog). */
  readonly applies: 'table' | 'inherited';
  /** The namespace the policy is defined in. */
  readonly defined_in: string;
  readonly content: string | undefined;
}

export function describePolicies(policies: TablePolicies | undefined): PolicyRow[] | null {
  if (policies === undefined) return null;
  return policies.policies.map((policy) => ({
    name: policy.name,
    type: policy.type,
    version: policy.version,
    applies: policy.inherited ? 'inherited' : 'table',
    defined_in: policy.namespace.join('.'),
    content: policy.content,
  }));
}

export function renderPolicies(rows: readonly PolicyRow[] | null): string {
  if (rows === null) return '';
  const head = '\nPolaris policies (maintenance obeys these over table properties and floe.yaml)\n';
  if (rows.length === 0) return `${head}  none apply\n`;
  const table = renderTextTable(
    ['name', 'type', 'version', 'applies', 'defined in', 'content'],
    rows.map((row) => [
      row.name,
      row.type,
      String(row.version),
      row.applies === 'table' ? 'attached to the table' : 'inherited',
      row.defined_in,
      (row.content ?? '').replace(/\s+/g, ' '),
    ]),
  );
  return head + table.replace(/^(?=.)/gm, '  ');
}
