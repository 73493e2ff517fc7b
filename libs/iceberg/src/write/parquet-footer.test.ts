import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Schema } from '../spec/types.ts';
import { FIELD_ID_KEY, withFieldIds } from './arrow-field-ids.ts';
import { footerLength, leafFieldIds, parseParquetFooter } from './parquet-footer.ts';

describe('parquet footer', () => {
  it('explains files without the magic and unreadable footers', () => {
    expect(() => footerLength(Uint8Array.of(1, 2, 3), 'mem://f.parquet')).toThrow(
      'Parquet footer of mem://f.parquet is not valid: the file does not end with the PAR1 magic',
    );
    expect(() => parseParquetFooter(Uint8Array.of(0x15), 'mem://f.parquet')).toThrow(
      'Parquet footer of mem://f.parquet is not valid: unreadable footer (unexpected end of footer)',
    );
    expect(() => parseParquetFooter(Uint8Array.of(0x1d), 'mem://f.parquet')).toThrow(
      /unknown thrift type 13/,
    );
    // field 1 as binary claiming 5 bytes but holding 1
    expect(() => parseParquetFooter(Uint8Array.of(0x18, 5, 65), 'mem://f.parquet')).toThrow(
      /truncated binary/,
    );
  });

  it('reads booleans, bytes, doubles, sets, maps and long-form field headers it does not need', () => {
    // field 1 bool true, field 2 byte, field 3 double, field 4 map<i32,i32>{1:2}, field 5 set<i32>, field 20 (long form) i32
    const bytes = Uint8Array.of(
      0x71,
      0x13,
      0x7f,
      0x17,
      ...new Uint8Array(new Float64Array([1.5]).buffer),
      0x1b,
      1,
      0x55,
      2,
      4,
      0x1a,
      0x15,
      2,
      0x05,
      80,
      6,
      0x00,
    );
    const footer = parseParquetFooter(bytes, 'mem://x');
    expect(footer.rowGroups).toEqual([]);
    expect(footer.schema).toEqual([]);
    expect(leafFieldIds(footer)).toEqual([]);
    expect(footer.numRows).toBe(0n);
  });

  it('rejects a footer whose structure is not FileMetaData', () => {
    // row_groups (field 4) as a list of i32 instead of structs
    expect(() => parseParquetFooter(Uint8Array.of(0x49, 0x15, 0x02, 0x00), 'mem://f.parquet')).toThrow(
      /^Parquet footer of mem:\/\/f.parquet is not valid: unreadable footer/,
    );
  });
});

describe('withFieldIds', () => {
  const schema: Schema = {
    schemaId: 0,
    identifierFieldIds: [],
    fields: [
      {
        id: 1,
        name: 's',
        required: false,
        type: { kind: 'struct', fields: [{ id: 2, name: 'x', required: false, type: { kind: 'int' } }] },
      },
      {
        id: 3,
        name: 'm',
        required: false,
        type: {
          kind: 'map',
          keyId: 4,
          key: { kind: 'string' },
          valueId: 5,
          valueRequired: false,
          value: { kind: 'int' },
        },
      },
    ],
  };

  it('stamps ids on struct children and map keys and values', () => {
    const arrowSchema = new arrow.Schema([
      new arrow.Field('s', new arrow.Struct([new arrow.Field('x', new arrow.Int32())])),
      new arrow.Field(
        'm',
        new arrow.Map_(
          new arrow.Field(
            'entries',
            new arrow.Struct<{ key: arrow.Utf8; value: arrow.Int32 }>([
              new arrow.Field('key', new arrow.Utf8(), false),
              new arrow.Field('value', new arrow.Int32()),
            ]),
          ),
        ),
      ),
    ]);
    const stamped = withFieldIds(arrowSchema, schema);
    const ids = (field: arrow.Field): unknown[] => [
      field.metadata.get(FIELD_ID_KEY),
      ...(field.type.children ?? []).flatMap((child: arrow.Field) => ids(child)),
    ];
    expect(stamped.fields.flatMap(ids)).toEqual(['1', '2', '3', undefined, '4', '5']);
  });

  it('names a nested column the table does not have', () => {
    const arrowSchema = new arrow.Schema([
      new arrow.Field('s', new arrow.Struct([new arrow.Field('y', new arrow.Int32())])),
    ]);
    expect(() => withFieldIds(arrowSchema, schema)).toThrow(
      "Arrow column 's.y' has no matching field in the table schema",
    );
  });
});
