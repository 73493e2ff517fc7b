// Whether the catalog accepts the writer's credentials, and what the writer does while it does
// not. A rotated or wrong catalog secret must not fail queued jobs for good, so:
//   - the writer asks the catalog at start (`probe`, GET /v1/config with a fresh token) and
//     whenever a job meets a refusal (`refused`);
//   - while refused it takes no jobs (`stopTaking`: the BullMQ worker pauses; a job that met the
//     refusal goes back to the wait list without using an attempt, see worker.ts), /readyz is 503
//     with the catalog's message (which names the floe.yaml keys to fix), the
//     `floe_catalog_auth_ok` gauge is 0 and one error line is logged;
//   - it asks again every `writer.catalog_recheck_ms` and starts taking jobs once the catalog
//     accepts the credentials.
// Why pause rather than retry with backoff: backoff spends the job's attempts, so credentials
// that stay wrong longer than the backoff schedule would still fail every queued job; a paused
// writer keeps them queued however long the fix takes, and writers whose credentials work keep
// taking them meanwhile. A probe that fails for another reason (catalog down) proves nothing:
// per-job retries handle outages, so it neither pauses nor resumes the writer.
import { CatalogError } from '@floe/catalog';

export interface CatalogAccessLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface CatalogAccessOptions {
  /** Asks the catalog now whether it accepts our credentials (RestCatalog.checkAccess). */
  readonly probe: () => Promise<void>;
  /** How often to ask again while refused (`writer.catalog_recheck_ms`). */
  readonly recheckMs: number;
  /** Stop taking jobs (called once per refusal episode). */
  readonly stopTaking: () => Promise<void>;
  /** Take jobs again (called when a refusal episode ends). */
  readonly resumeTaking: () => Promise<void>;
  readonly logger: CatalogAccessLogger;
}

/** The catalog refused our credentials: a token request it rejected, or a 401 after a fresh token. */
export function credentialRefusal(error: unknown): CatalogError | undefined {
  for (let current = error, depth = 0; current !== undefined && depth < 8; depth++) {
    if (current instanceof CatalogError) {
      if (current.kind === 'unauthorized') return current;
      if (current.kind === 'token-request-failed' && !current.retryable) return current;
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

export class CatalogAccess {
  readonly #options: CatalogAccessOptions;
  /** The refusal being waited out, or undefined while the credentials are (believed) accepted. */
  #refusal: CatalogError | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: CatalogAccessOptions) {
    this.#options = options;
  }

  /** False while the catalog refuses our credentials. */
  get accepted(): boolean {
    return this.#refusal === undefined;
  }

  /** Why the writer takes no jobs (for /readyz), or undefined. */
  get reason(): string | undefined {
    return this.#refusal === undefined
      ? undefined
      : `the catalog rejects the writer's credentials; queued jobs wait until it accepts them: ${this.#refusal.message}`;
  }

  /** The start-up check; never throws. */
  async check(): Promise<void> {
    try {
      await this.#options.probe();
      this.#options.logger.info({}, 'catalog accepts the writer credentials');
    } catch (error) {
      const refusal = credentialRefusal(error);
      if (refusal !== undefined) await this.refused(refusal);
      else
        this.#options.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'could not check the catalog credentials at start; jobs will tell',
        );
    }
  }

  /** The catalog refused our credentials: stop taking jobs until a re-check passes. */
  async refused(refusal: CatalogError): Promise<void> {
    if (this.#closed) return;
    const first = this.#refusal === undefined;
    this.#refusal = refusal;
    if (!first) return;
    this.#options.logger.error(
      { err: refusal.message, kind: refusal.kind, recheckMs: this.#options.recheckMs },
      'catalog rejects the writer credentials: taking no jobs until it accepts them (queued jobs stay queued)',
    );
    this.#schedule();
    await this.#options.stopTaking();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#recheck(), this.#options.recheckMs);
    this.#timer.unref();
  }

  async #recheck(): Promise<void> {
    try {
      await this.#options.probe();
    } catch (error) {
      const refusal = credentialRefusal(error);
      if (refusal !== undefined) this.#refusal = refusal;
      this.#schedule();
      return;
    }
    if (this.#closed) return;
    this.#refusal = undefined;
    this.#options.logger.info({}, 'catalog accepts the writer credentials again: taking jobs');
    await this.#options
      .resumeTaking()
      .catch((error: unknown) =>
        this.#options.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'could not resume taking jobs',
        ),
      );
  }
}
