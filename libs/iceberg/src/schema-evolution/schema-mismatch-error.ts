// The error a writer raises when staged data cannot be written to a table as it stands: one
// message naming every incompatible column with both types, so a producer fixes everything in
// one round instead of one column per failed job. It is an `IcebergError` of kind
// `schema-mismatch` and never retryable (the same data would fail again); `problems` holds the
// same facts structured, for job results and metrics.

import { IcebergError, type IcebergErrorContext } from '../errors.ts';

export type SchemaProblemKind =
  /** Data and table types cannot be reconciled. */
  | 'incompatible-type'
  /** A required table column is absent from the data. */
  | 'missing-required'
  /** A data column the table lacks (strict mode). */
  | 'extra-column'
  /** The data type is wider than the table's (strict mode; `add-columns` widens the table). */
  | 'wider-in-data'
  /** An Arrow type with no Iceberg equivalent. */
  | 'unsupported-type'
  /** The data names a column more than once. */
  | 'duplicate-column'
  /** A required column holds nulls. */
  | 'null-in-required';

export interface SchemaProblem {
  readonly kind: SchemaProblemKind;
  /** Dotted column path (`element`, `key`, `value` inside lists and maps). */
  readonly column: string;
  readonly dataType?: string;
  readonly tableType?: string;
  /** The problem as the message states it. */
  readonly message: string;
}

export class SchemaMismatchError extends IcebergError {
  readonly problems: readonly SchemaProblem[];

  constructor(
    subject: string,
    problems: readonly SchemaProblem[],
    advice: string,
    context: IcebergErrorContext = {},
  ) {
    super('schema-mismatch', `${subject}: ${problems.map((p) => p.message).join('; ')} — ${advice}`, {
      retryable: false,
      context: {
        ...context,
        problems: problems.length,
        firstColumn: problems[0]?.column ?? null,
      },
    });
    this.name = 'SchemaMismatchError';
    this.problems = problems;
  }
}
