// The small interface every catalog auth scheme implements. The transport asks for the
// Authorization header before each request and, at most once per request, tells the manager
// that the header it sent was rejected (401/419) so it can fetch a fresh token. Keeping auth
// behind these two calls lets none/bearer/OAuth2 (and anything a deployment adds) plug in
// without the transport knowing how tokens are made.

export interface AuthManager {
  /** A short name for logs (`none`, `bearer`, `oauth2`). */
  readonly scheme: string;
  /** The Authorization header value for the next request; undefined sends none. */
  authorizationHeader(): Promise<string | undefined>;
  /**
   * The catalog rejected `rejectedHeader` as unauthenticated or expired. Returns true when a
   * different header is now available and one retry of the request makes sense.
   */
  refreshAfterRejection(rejectedHeader: string | undefined): Promise<boolean>;
}

/** No Authorization header: for catalogs on a trusted network. */
export class NoAuthManager implements AuthManager {
  readonly scheme = 'none';

  authorizationHeader(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  refreshAfterRejection(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

/** A fixed bearer token (`catalog.token`): nothing to refresh, so a 401 is final. */
export class BearerTokenAuthManager implements AuthManager {
  readonly scheme = 'bearer';
  readonly #header: string;

  constructor(token: string) {
    this.#header = `Bearer ${token}`;
  }

  authorizationHeader(): Promise<string | undefined> {
    return Promise.resolve(this.#header);
  }

  refreshAfterRejection(): Promise<boolean> {
    return Promise.resolve(false);
  }
}
