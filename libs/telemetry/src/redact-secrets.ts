// Scrubs secrets out of free text (error messages, HTTP bodies echoed back by a server, log
// lines) before it reaches a user or a log sink. Structured log fields are redacted by path in
// logger.ts; this covers what path-based redaction cannot see: a secret embedded inside a string.
// Two layers: the caller's known secret values (exact matches, also in their JSON-escaped and
// URL-encoded spellings), and well-known shapes (Bearer tokens, URL passwords, credential
// query/form parameters) so that even an unknown secret in a familiar place is hidden.

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not scrubbed by value: replacing "a" everywhere destroys text. */
const MIN_SECRET_LENGTH = 3;

const SHAPES: ReadonlyArray<readonly [RegExp, string]> = [
  // Bearer <token> anywhere; Basic <b64> only after an Authorization key ("Basic setup" is prose).
  [/\bBearer\s+[A-Za-z0-9\-._~+/]+=*/g, `Bearer ${REDACTED}`],
  [/(authorization["']?\s*[:=]\s*["']?Basic\s+)[A-Za-z0-9+/]+=*/gi, `$1${REDACTED}`],
  // scheme://user:password@host
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${REDACTED}@`],
  // scheme://:password@host (Redis URLs often have no user)
  // (covered by the rule above: the user part may be empty)
  // client_secret=…, token=…, access_token=…, password=… in query strings and form bodies
  [
    /\b(client_secret|clientSecret|access_token|refresh_token|token|password|secret_access_key|session_token)=([^&\s"']+)/g,
    `$1=${REDACTED}`,
  ],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The spellings under which a secret value may appear in text. */
function spellingsOf(secret: string): string[] {
  const jsonEscaped = JSON.stringify(secret).slice(1, -1);
  const spellings = new Set([secret, jsonEscaped, encodeURIComponent(secret)]);
  return [...spellings].filter((s) => s.length >= MIN_SECRET_LENGTH);
}

/**
 * Returns `text` with every occurrence of the given secret values, and of well-known secret
 * shapes, replaced by `[REDACTED]`.
 */
export function redactSecrets(text: string, secrets: Iterable<string | undefined> = []): string {
  let result = text;
  const spellings = [...secrets]
    .filter((s): s is string => typeof s === 'string')
    .flatMap(spellingsOf)
    // Longest first, so a secret containing another secret is replaced whole.
    .sort((a, b) => b.length - a.length);
  if (spellings.length > 0) {
    result = result.replace(new RegExp(spellings.map(escapeRegExp).join('|'), 'g'), REDACTED);
  }
  for (const [pattern, replacement] of SHAPES) {
    result = result.replace(pattern, replacement);
  }
  return result;
}
