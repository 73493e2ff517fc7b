// The table the catalog bench creates: a realistic 10-column event table partitioned by
// day(ts), in Iceberg's JSON wire form (what `RestCatalog.createTable` takes). The PyIceberg
// peer (pyiceberg-ops.py) declares the same columns and partitioning so both clients send
// requests of the same size.

import type { CreateTableRequest } from '@floe/catalog';

export const EVENT_TABLE: CreateTableRequest = {
  schema: {
    type: 'struct',
    'schema-id': 0,
    'identifier-field-ids': [1],
    fields: [
      { id: 1, name: 'event_id', type: 'string', required: true },
      { id: 2, name: 'ts', type: 'timestamptz', required: true },
      { id: 3, name: 'tenant_id', type: 'long', required: true },
      { id: 4, name: 'user_id', type: 'long', required: false },
      { id: 5, name: 'event_type', type: 'string', required: false },
      { id: 6, name: 'amount', type: 'decimal(18, 2)', required: false },
      { id: 7, name: 'currency', type: 'string', required: false },
      { id: 8, name: 'latency_ms', type: 'double', required: false },
      { id: 9, name: 'is_test', type: 'boolean', required: false },
      { id: 10, name: 'ingest_date', type: 'date', required: false },
    ],
  },
  partitionSpec: {
    'spec-id': 0,
    fields: [{ 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' }],
  },
  properties: { 'format-version': '2', 'write.format.default': 'parquet' },
};
