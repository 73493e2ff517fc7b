// The Iceberg REST spec's expression JSON (`Expression` in rest-catalog-open-api.yaml), used by
// jobs for `overwriteFilter`. Only the wire shape is validated here; binding to a table schema
// (unknown columns, literal types) happens in the writer against the live table.
import { z } from 'zod';

const term = z
  .union([
    z.string().min(1),
    z.strictObject({ type: z.literal('reference'), term: z.string().min(1) }),
    z.strictObject({
      type: z.literal('transform'),
      transform: z.string().min(1),
      term: z.string().min(1),
    }),
  ])
  .describe('column name, reference or transform term');

const literal = z.union([z.string(), z.number(), z.boolean()]).describe('literal in JSON single-value form');

const unaryTypes = ['is-null', 'not-null', 'is-nan', 'not-nan'] as const;
const literalTypes = [
  'lt',
  'lt-eq',
  'gt',
  'gt-eq',
  'eq',
  'not-eq',
  'starts-with',
  'not-starts-with',
] as const;
const setTypes = ['in', 'not-in'] as const;

export type ExpressionJson =
  | boolean
  | { type: 'true' | 'false' }
  | { type: 'and' | 'or'; left: ExpressionJson; right: ExpressionJson }
  | { type: 'not'; child: ExpressionJson }
  | { type: (typeof unaryTypes)[number]; term: z.infer<typeof term> }
  | { type: (typeof literalTypes)[number]; term: z.infer<typeof term>; value: z.infer<typeof literal> }
  | { type: (typeof setTypes)[number]; term: z.infer<typeof term>; values: z.infer<typeof literal>[] };

export const expressionJson: z.ZodType<ExpressionJson> = z.lazy(() =>
  z.union([
    z.boolean(),
    z.strictObject({ type: z.enum(['true', 'false']) }),
    z.strictObject({ type: z.enum(['and', 'or']), left: expressionJson, right: expressionJson }),
    z.strictObject({ type: z.literal('not'), child: expressionJson }),
    z.strictObject({ type: z.enum(unaryTypes), term }),
    z.strictObject({ type: z.enum(literalTypes), term, value: literal }),
    z.strictObject({ type: z.enum(setTypes), term, values: z.array(literal).min(1) }),
  ]),
);
