// @floe/iceberg spec layer A, re-exported by the package entry point: types, schemas,
// partition specs, sort orders, transforms, values and their single-value and JSON forms.
export { bytesToDecimal, decimalToBytes, decimalToString, parseDecimal } from './decimal.ts';
export {
  hashBytes,
  hashDecimal,
  hashInt,
  hashLong,
  hashString,
  hashUuid,
  murmur3Hash32,
} from './murmur3.ts';
export type {
  BoundPartitionField,
  BoundPartitionSpec,
  PartitionSpecBuilderOptions,
  PartitionTuple,
} from './partition.ts';
export {
  bindPartitionSpec,
  defaultPartitionName,
  escapePathPart,
  PARTITION_DATA_ID_START,
  PartitionSpecBuilder,
  partitionFieldById,
  partitionKey,
  partitionPath,
  partitionTuple,
  partitionTupleForRow,
  partitionType,
  UNPARTITIONED_SPEC,
  valueAtPath,
} from './partition.ts';
export * from './partition-types.ts';
export type { IndexedField, SchemaIndex } from './schema.ts';
export {
  allFieldIds,
  canPromote,
  findFieldById,
  findFieldByName,
  highestFieldId,
  indexSchema,
  MAX_USER_FIELD_ID,
  selectFields,
  structOf,
  typesEqual,
  validateSchema,
  walkFields,
} from './schema.ts';
export { deserializeSingleValue, serializeSingleValue } from './single-value.ts';
export { parseJsonSingleValue, serializeJsonSingleValue } from './single-value-json.ts';
export type { TimeUnit } from './temporal.ts';
export {
  civilToDays,
  daysToCivil,
  floorDiv,
  floorMod,
  formatDate,
  formatTimeOfDay,
  formatTimestamp,
  parseDate,
  parseTimeOfDay,
  parseTimestamp,
  timestampToDays,
} from './temporal.ts';
export type { Transform } from './transforms.ts';
export {
  applyTransform,
  bucketHash,
  canTransform,
  parseTransform,
  preservesOrder,
  transformHumanString,
  transformResultType,
  transformToString,
} from './transforms.ts';
export type {
  ListTypeJson,
  MapTypeJson,
  NestedFieldJson,
  SchemaJson,
  StructTypeJson,
  TypeJson,
} from './type-json.ts';
export {
  MAX_DECIMAL_PRECISION,
  parsePrimitiveType,
  parseSchema,
  parseType,
  primitiveTypeToString,
  schemaToJson,
  typeToJson,
  typeToString,
} from './type-json.ts';
export * from './types.ts';
export type { IcebergValue, PrimitiveValue, StructValue } from './values.ts';
export {
  bytesToHex,
  bytesToUuid,
  checkPrimitiveValue,
  hexToBytes,
  uuidToBytes,
} from './values.ts';
