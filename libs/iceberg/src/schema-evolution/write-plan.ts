// The plan for writing staged Arrow data under a table's write schema: for every field of the
// write schema (nested ones too), where its values come from in the staged data and how they
// are converted — copied, cast by a kernel from `arrow-casts.ts`, or filled with nulls when the
// data lacks an optional column. Planning happens once per staged schema; `castBatch` then
// executes the plan on each record batch. Matching is by name, like the reconciliation that
// produced the write schema.

import type { Field as ArrowField, Schema as ArrowSchema, DataType } from 'apache-arrow';
import { Type } from 'apache-arrow';
import { icebergToArrowSchema } from '../arrow/arrow-schema.ts';
import { typeToString } from '../spec/type-json.ts';
import type { IcebergType, NestedField, Schema } from '../spec/types.ts';
import { isPrimitive } from '../spec/types.ts';
import { type LeafCast, leafCast } from './arrow-casts.ts';
import type { SchemaProblem } from './schema-mismatch-error.ts';

export type ListLayout = 'list' | 'large-list' | 'fixed-size-list';

interface PlanBase {
  /** Dotted path in the write schema. */
  readonly path: string;
  /** The write-schema field (a pseudo-field for list elements and map keys/values). */
  readonly field: NestedField;
}

export type ColumnPlan =
  | (PlanBase & { readonly op: 'fill-nulls' })
  | (PlanBase & {
      readonly op: 'leaf';
      readonly source: number;
      readonly sourceType: DataType;
      readonly cast: LeafCast;
    })
  | (PlanBase & { readonly op: 'struct'; readonly source: number; readonly children: readonly ColumnPlan[] })
  | (PlanBase & {
      readonly op: 'list';
      readonly source: number;
      readonly layout: ListLayout;
      readonly element: ColumnPlan;
    })
  | (PlanBase & {
      readonly op: 'map';
      readonly source: number;
      readonly key: ColumnPlan;
      readonly value: ColumnPlan;
    });

export interface WritePlan {
  readonly writeSchema: Schema;
  /** The staged data's Arrow schema the plan was made for. */
  readonly sourceSchema: ArrowSchema;
  /** The Arrow schema of cast batches: write-schema order and types, `PARQUET:field_id` on every field. */
  readonly targetSchema: ArrowSchema;
  readonly columns: readonly ColumnPlan[];
}

/** One line of the plan, for logs and job results. */
export interface ColumnCast {
  readonly column: string;
  readonly fieldId: number;
  readonly action: 'copy' | 'cast' | 'fill-nulls';
  /** The staged Arrow type (absent for filled columns). */
  readonly from?: string;
  /** The table's Iceberg type. */
  readonly to: string;
}

export interface PlannedWrite {
  readonly plan: WritePlan;
  /** Fields the plan cannot write; empty when the plan is complete. */
  readonly problems: readonly SchemaProblem[];
}

export function planWrite(writeSchema: Schema, sourceSchema: ArrowSchema): PlannedWrite {
  const problems: SchemaProblem[] = [];
  const columns = planStruct(writeSchema.fields, sourceSchema.fields, '', problems);
  const plan: WritePlan = {
    writeSchema,
    sourceSchema,
    targetSchema: icebergToArrowSchema(writeSchema),
    columns,
  };
  return { plan, problems };
}

/** The plan's leaves (and filled columns) in write-schema order. */
export function describePlan(plan: WritePlan): ColumnCast[] {
  const out: ColumnCast[] = [];
  const visit = (node: ColumnPlan): void => {
    const base = { column: node.path, fieldId: node.field.id, to: typeToString(node.field.type) };
    switch (node.op) {
      case 'fill-nulls':
        out.push({ ...base, action: 'fill-nulls' });
        return;
      case 'leaf':
        out.push({ ...base, action: node.cast.identity ? 'copy' : 'cast', from: String(node.sourceType) });
        return;
      case 'struct':
        node.children.forEach(visit);
        return;
      case 'list':
        visit(node.element);
        return;
      case 'map':
        visit(node.key);
        visit(node.value);
        return;
    }
  };
  plan.columns.forEach(visit);
  return out;
}

function planStruct(
  fields: readonly NestedField[],
  sources: readonly ArrowField[],
  prefix: string,
  problems: SchemaProblem[],
): ColumnPlan[] {
  for (const source of sources) {
    if (!fields.some((field) => field.name === source.name)) {
      const column = prefix + source.name;
      problems.push({
        kind: 'extra-column',
        column,
        dataType: String(source.type),
        message: `column '${column}' is not in the write schema`,
      });
    }
  }
  return fields.map((field) => {
    const path = prefix + field.name;
    const index = sources.findIndex((source) => source.name === field.name);
    const source = sources[index];
    if (source === undefined) {
      if (field.required) {
        problems.push({
          kind: 'missing-required',
          column: path,
          tableType: typeToString(field.type),
          message: `required column '${path}' is missing from the data`,
        });
      }
      return { op: 'fill-nulls', path, field };
    }
    return planField(field, source.type as DataType, index, path, problems);
  });
}

function planField(
  field: NestedField,
  sourceType: DataType,
  source: number,
  path: string,
  problems: SchemaProblem[],
): ColumnPlan {
  const type = field.type;
  const children = (sourceType.children ?? []) as ArrowField[];
  if (type.kind === 'struct' && sourceType.typeId === Type.Struct) {
    return {
      op: 'struct',
      path,
      field,
      source,
      children: planStruct(type.fields, children, `${path}.`, problems),
    };
  }
  const layout = listLayout(sourceType);
  if (type.kind === 'list' && layout !== undefined) {
    const element = pseudo(type.elementId, 'element', type.elementRequired, type.element);
    return {
      op: 'list',
      path,
      field,
      source,
      layout,
      element: planField(element, children[0]!.type as DataType, 0, `${path}.element`, problems),
    };
  }
  if (type.kind === 'map' && sourceType.typeId === Type.Map) {
    const [key, value] = children[0]!.type.children as ArrowField[];
    return {
      op: 'map',
      path,
      field,
      source,
      key: planField(
        pseudo(type.keyId, 'key', true, type.key),
        key!.type as DataType,
        0,
        `${path}.key`,
        problems,
      ),
      value: planField(
        pseudo(type.valueId, 'value', type.valueRequired, type.value),
        value!.type as DataType,
        1,
        `${path}.value`,
        problems,
      ),
    };
  }
  const cast = isPrimitive(type) ? leafCast(sourceType, type) : undefined;
  if (cast === undefined) {
    problems.push(incompatible(path, sourceType, type));
    return { op: 'fill-nulls', path, field };
  }
  return { op: 'leaf', path, field, source, sourceType, cast };
}

function listLayout(type: DataType): ListLayout | undefined {
  if (type.typeId === Type.List) return 'list';
  if (type.typeId === Type.LargeList) return 'large-list';
  if (type.typeId === Type.FixedSizeList) return 'fixed-size-list';
  return undefined;
}

function pseudo(id: number, name: string, required: boolean, type: IcebergType): NestedField {
  return { id, name, required, type };
}

function incompatible(path: string, sourceType: DataType, type: IcebergType): SchemaProblem {
  const dataType = String(sourceType);
  const tableType = typeToString(type);
  return {
    kind: 'incompatible-type',
    column: path,
    dataType,
    tableType,
    message: `column '${path}' is ${dataType} in the data but ${tableType} in the table, and there is no conversion`,
  };
}
