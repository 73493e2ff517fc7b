// Field builders shared by the floe.yaml section schemas. Numbers and booleans also accept
// their string spelling because `${env:…}` always yields a string (`concurrency:
// ${env:WRITER_CONCURRENCY:-4}` must work). Custom checks attach a `fix` param that the issue
// formatter (zod-issues.ts) turns into the "— how to fix" half of the message.
import { z } from 'zod';

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;

function numberFromString(value: unknown): unknown {
  return typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
}

function booleanFromString(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

export function integer(bounds: { min?: number; max?: number } = {}) {
  let schema = z.number().int();
  if (bounds.min !== undefined) schema = schema.min(bounds.min);
  if (bounds.max !== undefined) schema = schema.max(bounds.max);
  return z.preprocess(numberFromString, schema);
}

export const flag = z.preprocess(booleanFromString, z.boolean());

export const text = z.string().trim().min(1);

/** An interface address to listen on: an IPv4/IPv6 literal or a host name. */
export const listenHost = z
  .string()
  .trim()
  .refine((value) => /^[A-Za-z0-9.:-]+$/.test(value), {
    message: 'is not an address to listen on',
    params: {
      fix: 'use 127.0.0.1 (this machine only), 0.0.0.0 (every interface, e.g. in a container) or one address',
    },
  });

function urlWithScheme(value: string, schemes: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

export function urlField(schemes: readonly string[], example: string) {
  const list = schemes.map((scheme) => `${scheme}//`).join(' or ');
  return z.string().refine((value) => urlWithScheme(value, schemes), {
    message: `must be a ${list} URL`,
    params: { fix: `write a full URL such as ${example}` },
  });
}

export const httpUrl = (example: string) => urlField(['http:', 'https:'], example);

/** S3 bucket naming rules (3–63 chars, lowercase letters, digits, dots and hyphens). */
export const bucketName = z.string().refine((value) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value), {
  message: 'is not a valid S3 bucket name',
  params: {
    fix: 'use 3–63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit',
  },
});
