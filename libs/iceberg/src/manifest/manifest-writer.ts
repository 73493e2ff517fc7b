// Writes one manifest file (spec §Manifests) for a partition spec and table schema: an Avro
// container of `manifest_entry` records whose header carries the keys other engines expect
// (`schema`, `schema-id`, `partition-spec`, `partition-spec-id`, `format-version`, `content`).
// Alongside the bytes it produces the manifest's list entry (`ManifestFile`): added / existing /
// deleted file and row counts, the smallest live data sequence number, and per-partition-field
// summaries. New files are written with null sequence numbers so they inherit the sequence
// number of the snapshot that commits them; that number is only known at commit time, after
// optimistic-concurrency retries, which is why the manifest never hard-codes it.

import { IcebergError } from '../errors.ts';
import { partitionType as partitionTypeOf } from '../spec/partition.ts';
import type { PartitionSpec } from '../spec/partition-types.ts';
import { schemaToJson } from '../spec/type-json.ts';
import type { PrimitiveType, Schema, StructType } from '../spec/types.ts';
import { checkPrimitiveValue } from '../spec/values.ts';
import { stringifyJson } from '../util/json.ts';
import { type AvroCodec, writeAvroContainer } from './avro-container.ts';
import { type ManifestFormatVersion, manifestEntryAvroSchema } from './avro-schemas.ts';
import type { DataFile, ManifestEntry } from './data-file.ts';
import { entryToAvro } from './entry-codec.ts';
import type { ManifestContent, ManifestFile } from './manifest-file.ts';
import { PartitionSummaryBuilder } from './partition-summary.ts';

export interface ManifestWriterOptions {
  /** Where the manifest will be stored; recorded in the returned `ManifestFile`. */
  readonly path: string;
  readonly spec: PartitionSpec;
  readonly schema: Schema;
  /**
   * The partition struct of `spec` over `schema` (field ids from the spec, transform result
   * types). Derived from spec and schema when absent; pass it to skip re-deriving per manifest.
   */
  readonly partitionType?: StructType;
  /** Snapshot that this manifest is written for; stamped on added and deleted entries. */
  readonly snapshotId: bigint;
  readonly formatVersion?: ManifestFormatVersion;
  /** `data` manifests hold data files, `deletes` manifests hold delete files. Default `data`. */
  readonly content?: ManifestContent;
  readonly codec?: AvroCodec;
}

export interface AddedFileOptions {
  /** Explicit data sequence number (rewrites that must keep one); default: inherit at commit. */
  readonly sequenceNumber?: bigint;
  readonly fileSequenceNumber?: bigint;
}

export interface WrittenManifest {
  readonly bytes: Uint8Array;
  readonly manifestFile: ManifestFile;
}

export class ManifestWriter {
  private readonly options: ManifestWriterOptions;
  private readonly formatVersion: ManifestFormatVersion;
  private readonly content: ManifestContent;
  private readonly entries: ManifestEntry[] = [];
  private readonly summary: PartitionSummaryBuilder;
  private readonly partitionType: StructType;
  private addedFiles = 0;
  private existingFiles = 0;
  private deletedFiles = 0;
  private addedRows = 0n;
  private existingRows = 0n;
  private deletedRows = 0n;
  private minSequenceNumber: bigint | undefined;
  private finished = false;

  constructor(options: ManifestWriterOptions) {
    this.options = options;
    this.formatVersion = options.formatVersion ?? 2;
    this.content = options.content ?? 'data';
    if (this.formatVersion === 1 && this.content === 'deletes') {
      throw new IcebergError('invalid-argument', 'format v1 tables have no delete manifests', {
        context: { path: options.path },
      });
    }
    this.partitionType = options.partitionType ?? partitionTypeOf(options.spec, options.schema);
    if (this.partitionType.fields.length !== options.spec.fields.length) {
      throw new IcebergError(
        'invalid-argument',
        `partition type has ${this.partitionType.fields.length} fields but partition spec ${options.spec.specId} has ${options.spec.fields.length}`,
        { context: { path: options.path, specId: options.spec.specId } },
      );
    }
    this.summary = new PartitionSummaryBuilder(this.partitionType);
  }

  /** A file this snapshot adds. Its sequence numbers are inherited at commit unless given. */
  add(file: DataFile, options: AddedFileOptions = {}): void {
    this.append({
      status: 'added',
      snapshotId: this.options.snapshotId,
      sequenceNumber: options.sequenceNumber,
      fileSequenceNumber: options.fileSequenceNumber,
      file,
    });
  }

  /** A file carried over from an earlier snapshot; keeps its snapshot id and sequence numbers. */
  existing(entry: ManifestEntry): void {
    this.append({ ...entry, status: 'existing' }, true);
  }

  /** A file this snapshot removes; stamped with this snapshot's id, keeps its sequence numbers. */
  delete(entry: ManifestEntry): void {
    this.append({ ...entry, status: 'deleted', snapshotId: this.options.snapshotId }, true);
  }

  private append(entry: ManifestEntry, carriedOver = false): void {
    if (this.finished) {
      throw new IcebergError('invalid-argument', `manifest ${this.options.path} is already finished`, {
        context: { path: this.options.path },
      });
    }
    const file = entry.file;
    const isDeleteFile = file.content !== 'data';
    if (isDeleteFile !== (this.content === 'deletes')) {
      throw new IcebergError(
        'invalid-argument',
        `cannot put a ${file.content} file (${file.filePath}) into a ${this.content} manifest`,
        { context: { path: this.options.path, filePath: file.filePath } },
      );
    }
    if (
      carriedOver &&
      this.formatVersion >= 2 &&
      (entry.snapshotId === undefined || entry.sequenceNumber === undefined)
    ) {
      throw new IcebergError(
        'invalid-argument',
        `${entry.status} entry for ${file.filePath} needs its snapshot id and sequence number (read it with inheritance applied)`,
        { context: { path: this.options.path, filePath: file.filePath } },
      );
    }
    this.checkPartition(file);
    switch (entry.status) {
      case 'added':
        this.addedFiles++;
        this.addedRows += file.recordCount;
        break;
      case 'existing':
        this.existingFiles++;
        this.existingRows += file.recordCount;
        break;
      case 'deleted':
        this.deletedFiles++;
        this.deletedRows += file.recordCount;
        break;
    }
    this.summary.update(file.partition);
    if (
      entry.status !== 'deleted' &&
      entry.sequenceNumber !== undefined &&
      (this.minSequenceNumber === undefined || entry.sequenceNumber < this.minSequenceNumber)
    ) {
      this.minSequenceNumber = entry.sequenceNumber;
    }
    this.entries.push(entry);
  }

  /** Rejects tuples that do not fit the spec, with the field at fault in the message. */
  private checkPartition(file: DataFile): void {
    const fields = this.partitionType.fields;
    if (file.partition.length !== fields.length) {
      throw new IcebergError(
        'invalid-argument',
        `data file ${file.filePath} has ${file.partition.length} partition values but partition spec ${this.options.spec.specId} has ${fields.length} fields`,
        { context: { path: this.options.path, filePath: file.filePath } },
      );
    }
    fields.forEach((field, index) => {
      const value = file.partition[index];
      if (value === null || value === undefined) return;
      try {
        checkPrimitiveValue(field.type as PrimitiveType, value);
      } catch (error) {
        throw new IcebergError(
          'invalid-value',
          `data file ${file.filePath} partition field '${field.name}': ${(error as Error).message}`,
          { context: { path: this.options.path, filePath: file.filePath, field: field.name }, cause: error },
        );
      }
    });
  }

  get entryCount(): number {
    return this.entries.length;
  }

  /** Encodes the manifest; the writer cannot be used afterwards. */
  finish(): WrittenManifest {
    if (this.finished) {
      throw new IcebergError('invalid-argument', `manifest ${this.options.path} is already finished`, {
        context: { path: this.options.path },
      });
    }
    this.finished = true;
    const { spec, schema } = this.options;
    const partitionType = this.partitionType;
    const version = this.formatVersion;
    const metadata: Record<string, string> = {
      schema: stringifyJson(schemaToJson(schema)),
      'partition-spec': JSON.stringify(
        spec.fields.map((field) => ({
          name: field.name,
          transform: field.transform,
          'source-id': field.sourceId,
          'field-id': field.fieldId,
        })),
      ),
      'partition-spec-id': String(spec.specId),
      'format-version': String(version),
    };
    if (version >= 2) {
      metadata['schema-id'] = String(schema.schemaId);
      metadata['content'] = this.content;
    }
    const bytes = writeAvroContainer({
      schema: manifestEntryAvroSchema(version, partitionType),
      records: this.entries.map((entry) => entryToAvro(entry, version, partitionType)),
      metadata,
      ...(this.options.codec === undefined ? {} : { codec: this.options.codec }),
    });
    const manifestFile: ManifestFile = {
      manifestPath: this.options.path,
      manifestLength: BigInt(bytes.length),
      partitionSpecId: spec.specId,
      content: this.content,
      sequenceNumber: undefined,
      minSequenceNumber: this.minSequenceNumber,
      addedSnapshotId: this.options.snapshotId,
      addedFilesCount: this.addedFiles,
      existingFilesCount: this.existingFiles,
      deletedFilesCount: this.deletedFiles,
      addedRowsCount: this.addedRows,
      existingRowsCount: this.existingRows,
      deletedRowsCount: this.deletedRows,
      partitions: this.summary.summaries(),
    };
    return { bytes, manifestFile };
  }
}
