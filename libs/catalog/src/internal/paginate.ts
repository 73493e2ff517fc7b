// Follows `next-page-token` of a REST list endpoint to the end. A server that hands back a token
// it already gave is broken (it would loop forever), so that is an error, not a hang.

import { CatalogError } from '../errors.ts';

/** Fetches one page with the given token and returns the next token (undefined/empty = done). */
export type PageFetcher = (pageToken: string | undefined) => Promise<string | null | undefined>;

const MAX_PAGES = 100_000;

export async function paginate(operation: string, object: string, fetchPage: PageFetcher): Promise<number> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const next = await fetchPage(token);
    if (next === undefined || next === null || next === '') return page;
    if (seen.has(next)) {
      throw new CatalogError(
        'invalid-response',
        `${operation} ${object}: the catalog returned page token "${next}" twice; its pagination is broken`,
        { context: { operation, object, pages: page } },
      );
    }
    seen.add(next);
    token = next;
  }
  throw new CatalogError(
    'invalid-response',
    `${operation} ${object}: more than ${MAX_PAGES} pages; giving up`,
    {
      context: { operation, object },
    },
  );
}
