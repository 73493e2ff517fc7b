// Splits a stream of record batches into staged parts: each part is a complete Arrow IPC
// *stream* (schema message, then whole record batches, then the end-of-stream marker), so the
// writer can decode every part on its own. A part is closed as soon as its encoded size reaches
// `partBytes`, so a part is at most `partBytes` plus one batch. Batches are never sliced:
// apache-arrow's IPC writer serialises a sliced variable-width column with its whole values
// buffer, which would make slices larger, not smaller. Sizes are exact (counted from the
// writer's output), and the sha256 is computed over the same bytes that get uploaded.
import { createHash } from 'node:crypto';
import { AsyncByteQueue, type RecordBatch, RecordBatchStreamWriter, type Schema, util } from 'apache-arrow';
import { FloeProducerError } from './errors.ts';

export interface EncodedPart {
  /** 0-based position of the part in the write */
  readonly index: number;
  readonly bytes: Uint8Array;
  readonly rows: number;
  readonly batches: number;
  readonly sha256: string;
}

/** The writer's own byte queue, counting what it is given, so the part size is known exactly. */
class CountingQueue extends AsyncByteQueue {
  byteLength = 0;
  override write(value: Uint8Array): void {
    this.byteLength += value.byteLength;
    super.write(value);
  }
}

function describeSchema(schema: Schema): string {
  return schema.fields
    .map((field) => `${field.name}: ${String(field.type)}${field.nullable ? '' : ' not null'}`)
    .join(', ');
}

class PartBuilder {
  readonly index: number;
  readonly sink = new CountingQueue();
  readonly writer: RecordBatchStreamWriter;
  rows = 0;
  batches = 0;

  constructor(index: number, schema: Schema) {
    this.index = index;
    this.writer = new RecordBatchStreamWriter({ autoDestroy: true });
    this.writer.reset(this.sink, schema);
  }

  add(batch: RecordBatch): void {
    this.writer.write(batch);
    this.rows += batch.numRows;
    this.batches += 1;
  }

  finish(): EncodedPart {
    this.writer.finish();
    const bytes = this.sink.toUint8Array(true);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { index: this.index, bytes, rows: this.rows, batches: this.batches, sha256 };
  }
}

export interface SplitOptions {
  readonly partBytes: number;
  /** hard limit of one staged object (storage.max_staged_object_bytes); undefined = none */
  readonly maxPartBytes?: number | undefined;
}

/**
 * Encodes batches into IPC stream parts of about `partBytes`. Zero-row batches are dropped
 * (they carry no data). All batches must share one schema.
 */
export async function* encodeParts(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: SplitOptions,
): AsyncGenerator<EncodedPart> {
  let schema: Schema | undefined;
  let part: PartBuilder | undefined;
  let nextIndex = 0;
  const finish = (builder: PartBuilder): EncodedPart => {
    const encoded = builder.finish();
    if (options.maxPartBytes !== undefined && encoded.bytes.byteLength > options.maxPartBytes) {
      throw new FloeProducerError(
        'invalid-data',
        `a record batch of ${encoded.rows} rows encodes to ${encoded.bytes.byteLength} bytes, over the ${options.maxPartBytes}-byte limit of one staged object (storage.max_staged_object_bytes); write it as smaller record batches`,
        { context: { rows: encoded.rows, bytes: encoded.bytes.byteLength, limit: options.maxPartBytes } },
      );
    }
    return encoded;
  };
  for await (const batch of batches) {
    if (schema === undefined) schema = batch.schema;
    else if (schema !== batch.schema && !util.compareSchemas(schema, batch.schema)) {
      if (describeSchema(schema) !== describeSchema(batch.schema)) {
        throw new FloeProducerError(
          'invalid-data',
          `all record batches of one write must share a schema: expected (${describeSchema(schema)}) but a batch has (${describeSchema(batch.schema)})`,
        );
      }
      // Same columns and types, different dictionary ids (batches of separately built tables):
      // one IPC stream cannot change its schema, so the new batch starts a part of its own.
      schema = batch.schema;
      if (part !== undefined) {
        yield finish(part);
        part = undefined;
      }
    }
    if (batch.numRows === 0) continue;
    part ??= new PartBuilder(nextIndex++, schema);
    part.add(batch);
    if (part.sink.byteLength >= options.partBytes) {
      yield finish(part);
      part = undefined;
    }
  }
  if (part !== undefined) yield finish(part);
}
