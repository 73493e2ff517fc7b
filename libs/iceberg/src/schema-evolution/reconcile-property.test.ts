// Property: for a random table schema and staged data holding a random subset of its columns
// (types sometimes narrower or wider) plus random new ones, reconciling in add-columns mode
// never loses a column — every table field keeps its id and path, every data column is in the
// write schema — and the schema change applies cleanly with the metadata builder. Dropping a
// required column is the one way to fail, and the error names each dropped one.

import { type Field as ArrowField, makeBuilder, makeData, RecordBatch, Struct } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { icebergToArrowSchema } from '../arrow/arrow-schema.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { checkRequirements } from '../metadata/requirements.ts';
import { indexSchema } from '../spec/schema.ts';
import type { IcebergType, NestedField, PrimitiveType, Schema } from '../spec/types.ts';
import { castBatch } from './cast-batch.ts';
import { metadataFor, NOW } from './fixtures.test-helper.ts';
import { reconcileSchema } from './reconcile.ts';
import { SchemaMismatchError } from './schema-mismatch-error.ts';

const primitives: PrimitiveType[] = [
  { kind: 'boolean' },
  { kind: 'int' },
  { kind: 'long' },
  { kind: 'float' },
  { kind: 'double' },
  { kind: 'decimal', precision: 9, scale: 2 },
  { kind: 'date' },
  { kind: 'timestamp' },
  { kind: 'timestamptz' },
  { kind: 'string' },
  { kind: 'binary' },
];

/** Types with placeholder ids (0); `numbered` assigns real ones. */
const typeArb: fc.Arbitrary<IcebergType> = fc.letrec<{ type: IcebergType }>((tie) => ({
  type: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...primitives),
    fc
      .uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), tie('type'), fc.boolean()), {
        minLength: 1,
        maxLength: 3,
        selector: (t) => t[0],
      })
      .map(
        (fields): IcebergType => ({
          kind: 'struct',
          fields: fields.map(([name, type, required]) => ({ id: 0, name, required, type })),
        }),
      ),
    fc.tuple(tie('type'), fc.boolean()).map(
      ([element, required]): IcebergType => ({
        kind: 'list',
        elementId: 0,
        elementRequired: required,
        element,
      }),
    ),
    fc.tuple(tie('type'), fc.boolean()).map(
      ([value, required]): IcebergType => ({
        kind: 'map',
        keyId: 0,
        key: { kind: 'string' },
        valueId: 0,
        valueRequired: required,
        value,
      }),
    ),
  ),
})).type;

function numbered(fields: readonly NestedField[], next: () => number): NestedField[] {
  const ids = fields.map(() => next());
  return fields.map((field, i) => ({ ...field, id: ids[i]!, type: numberType(field.type, next) }));
}

function numberType(type: IcebergType, next: () => number): IcebergType {
  if (type.kind === 'struct') return { kind: 'struct', fields: numbered(type.fields, next) };
  if (type.kind === 'list') return { ...type, elementId: next(), element: numberType(type.element, next) };
  if (type.kind === 'map') {
    const keyId = next();
    return { ...type, keyId, valueId: next(), value: numberType(type.value, next) };
  }
  return type;
}

/** A type the data may carry for a table column of `type`: the same, or one step narrower/wider. */
function dataVariant(type: IcebergType, pick: number): IcebergType {
  const swaps: Record<string, IcebergType> = {
    int: { kind: 'long' },
    long: { kind: 'int' },
    float: { kind: 'double' },
    double: { kind: 'float' },
  };
  return pick % 3 === 0 ? (swaps[type.kind] ?? type) : type;
}

const scenarioArb = fc.record({
  columns: fc.uniqueArray(
    fc.tuple(
      fc.constantFrom('id', 'ts', 'name', 'amount', 'tags', 'geo', 'props', 'n'),
      typeArb,
      fc.boolean(),
    ),
    {
      minLength: 1,
      maxLength: 6,
      selector: (c) => c[0],
    },
  ),
  keep: fc.array(fc.nat(5), { minLength: 6, maxLength: 6 }),
  extras: fc.uniqueArray(fc.tuple(fc.constantFrom('x1', 'x2', 'x3'), typeArb, fc.boolean()), {
    maxLength: 2,
    selector: (c) => c[0],
  }),
  slack: fc.nat(5),
});

describe('reconcileSchema in add-columns mode (property)', () => {
  it('never loses a column, and its schema change applies with the metadata builder', () => {
    fc.assert(
      fc.property(scenarioArb, ({ columns, keep, extras, slack }) => {
        let id = 0;
        const tableSchema: Schema = {
          schemaId: 0,
          identifierFieldIds: [],
          fields: numbered(
            columns.map(([name, type, required]) => ({ id: 0, name, required, type })),
            () => ++id,
          ),
        };
        const lastColumnId = id + slack;
        // keep[i] === 0 drops the column; otherwise the data has it, maybe with a swapped type
        const kept = tableSchema.fields.filter((_, i) => keep[i] !== 0);
        const dropped = tableSchema.fields.filter((_, i) => keep[i] === 0);
        let dataId = 0;
        const dataFields = numbered(
          [
            ...kept.map((field, i) => ({ ...field, type: dataVariant(field.type, keep[i] ?? 1) })),
            ...extras.map(([name, type, required]) => ({ id: 0, name, required, type })),
          ],
          () => ++dataId,
        );
        const arrowSchema = icebergToArrowSchema({ schemaId: 0, identifierFieldIds: [], fields: dataFields });

        const droppedRequired = dropped.filter((field) => field.required).map((field) => field.name);
        if (droppedRequired.length > 0) {
          let error: unknown;
          try {
            reconcileSchema(tableSchema, arrowSchema, 'add-columns', { lastColumnId });
          } catch (caught) {
            error = caught;
          }
          expect(error).toBeInstanceOf(SchemaMismatchError);
          const missing = (error as SchemaMismatchError).problems.filter(
            (p) => p.kind === 'missing-required',
          );
          expect(missing.map((p) => p.column)).toEqual(droppedRequired);
          return;
        }

        const result = reconcileSchema(tableSchema, arrowSchema, 'add-columns', { lastColumnId });
        const written = indexSchema(result.writeSchema);
        // every table field keeps its id and path
        for (const [fieldId, entry] of indexSchema(tableSchema).byId) {
          expect(written.byId.get(fieldId)?.path).toBe(entry.path);
        }
        // every data column (nested too) is in the write schema by path
        for (const path of indexSchema({
          schemaId: 0,
          identifierFieldIds: [],
          fields: dataFields,
        }).byName.keys()) {
          expect(written.byName.has(path)).toBe(true);
        }
        // table columns absent from the data are written as nulls; the rest come from the data
        const filled = result.casts.filter((c) => c.action === 'fill-nulls').map((c) => c.column);
        expect(filled).toEqual(expect.arrayContaining(dropped.map((field) => field.name)));

        if (result.evolution !== undefined) {
          const base = metadataFor(tableSchema, lastColumnId);
          expect(checkRequirements(base, result.evolution.requirements)).toEqual([]);
          const next = applyUpdates(base, result.evolution.updates, { nowMs: NOW });
          const current = next.schemas.find((s) => s.schemaId === next.currentSchemaId);
          expect(current?.fields).toEqual(result.writeSchema.fields);
          expect(next.lastColumnId).toBe(result.evolution.lastColumnId);
          // new ids are above the old last-column-id
          for (const fieldId of written.byId.keys()) {
            if (!indexSchema(tableSchema).byId.has(fieldId)) expect(fieldId).toBeGreaterThan(lastColumnId);
          }
        }

        // an empty batch of the staged schema casts to the write schema's columns
        const children = arrowSchema.fields.map((field) =>
          makeBuilder({ type: field.type }).finish().flush(),
        );
        const empty = new RecordBatch(
          arrowSchema,
          makeData({
            type: new Struct(arrowSchema.fields as ArrowField[]),
            length: 0,
            nullCount: 0,
            children,
          }),
        );
        const out = castBatch(empty, result.plan);
        expect(out.schema.fields.map((field) => field.name)).toEqual(
          result.writeSchema.fields.map((field) => field.name),
        );
      }),
      { numRuns: 150 },
    );
  });
});
