// The schema a create-if-missing job gives its new table: columns by name with fresh field ids,
// whatever ids (partial, stale, from another table) the producer's Arrow data carries.
import { Field, Int64, Schema, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { tableSchemaFromData } from './create-table.ts';

const withId = (field: Field, id: string) =>
  new Field(field.name, field.type, field.nullable, new Map([['PARQUET:field_id', id]]));

describe('tableSchemaFromData', () => {
  it('assigns fresh ids when only some columns carry ids (a derived column after a load)', () => {
    const data = new Schema([
      withId(new Field('country', new Utf8(), true), '12'),
      new Field('customer_id_count', new Int64(), false),
    ]);
    expect(tableSchemaFromData(data).fields).toEqual([
      { id: 1, name: 'country', required: false, type: { kind: 'string' } },
      { id: 2, name: 'customer_id_count', required: true, type: { kind: 'long' } },
    ]);
  });

  it('assigns fresh ids over complete stale ones and when there are none', () => {
    const stale = new Schema([
      withId(new Field('a', new Int64(), true), '9'),
      withId(new Field('b', new Utf8(), true), '9'),
    ]);
    expect(tableSchemaFromData(stale).fields.map((f) => [f.name, f.id])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    const none = new Schema([new Field('a', new Int64(), true)]);
    expect(tableSchemaFromData(none).fields.map((f) => f.id)).toEqual([1]);
  });
});
