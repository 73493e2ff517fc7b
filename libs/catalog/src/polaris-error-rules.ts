// Apache Polaris answers whose status alone points at the wrong fix. The generic maps read a 403
// as a missing privilege, a 404 as a wrong URI and a 422 as an unknown status; Polaris also uses
// them for storage setup problems (its STS/KMS call for vended credentials failed, or the catalog
// vends none), for catalog settings (drop with purge disabled, a location another table owns),
// for a request without its realm header, and for a namespace property update it reports as a
// conflict after applying it. These rules recognise Polaris's error type and message (as Polaris
// 1.4.1 sends them) and name the floe.yaml key or the Polaris catalog setting to change. Their
// messages put the server's own reason first; retryable only where a retry can help (STS busy or
// throttled), never for a setup problem.

import type { EndpointId } from './endpoints.ts';
import type { ErrorRule } from './errors.ts';

/** Endpoints whose request makes Polaris vend (or use) storage credentials. */
const CREDENTIAL_ENDPOINTS: ReadonlySet<EndpointId> = new Set<EndpointId>([
  'loadTable',
  'createTable',
  'registerTable',
  'commitTable',
  'loadCredentials',
]);

const NO_CREDENTIALS_TO_VEND =
  /Credential vending was requested for table .*but no credentials are available/i;
const VENDING_FAILED = /subscoped credentials|Service: Sts|AssumeRole|\bKMS\b|arn:aws:kms/i;
const STS_BUSY =
  /Throttl|Rate exceeded|SlowDown|TooManyRequests|Status Code: 5\d\d|Service Unavailable|Read timed out/i;
const STS_UNREACHABLE =
  /Unable to execute HTTP request|UnknownHost|Connection refused|Connect to|Connect timed out|resolve host/i;
const KMS = /\bKMS\b|arn:aws:kms|kms:/i;

const USE_OWN_KEYS =
  'set catalog.access_delegation: none in floe.yaml and give floe its own storage keys (storage.access_key_id, storage.secret_access_key)';

function credentialVendingRule(message: string): ErrorRule {
  if (STS_BUSY.test(message)) {
    return {
      kind: 'credential-vending-failed',
      what: 'Polaris could not vend storage credentials because STS is busy or failing',
      fix: "retry later (floe does); if it persists, check the STS service of the Polaris catalog's stsEndpoint",
      retryable: true,
      reasonFirst: true,
    };
  }
  if (KMS.test(message)) {
    return {
      kind: 'credential-vending-failed',
      what: 'Polaris could not vend storage credentials: its STS request names a KMS key the storage does not have',
      fix:
        "on S3-compatible storage without AWS KMS (MinIO, …) set kmsUnavailable: true in the Polaris catalog's " +
        "storageConfigInfo; on AWS, let the catalog's role use the bucket's KMS key",
      retryable: false,
      reasonFirst: true,
    };
  }
  if (STS_UNREACHABLE.test(message)) {
    return {
      kind: 'credential-vending-failed',
      what: 'Polaris could not reach STS to vend storage credentials',
      fix:
        "set stsEndpoint in the Polaris catalog's storageConfigInfo to an STS that Polaris can reach (on MinIO: " +
        `MinIO's own endpoint), or set stsUnavailable: true there and ${USE_OWN_KEYS}`,
      retryable: false,
      reasonFirst: true,
    };
  }
  return {
    kind: 'credential-vending-failed',
    what: 'Polaris could not vend storage credentials',
    fix:
      "check the Polaris catalog's storageConfigInfo (roleArn, stsEndpoint, kmsUnavailable, stsUnavailable), or " +
      USE_OWN_KEYS,
    retryable: false,
    reasonFirst: true,
  };
}

/** The Polaris-specific rule for an answer, or undefined to use the generic maps. */
export function polarisRuleFor(
  endpoint: EndpointId,
  status: number,
  serverType: string | undefined,
  serverMessage: string | undefined,
): ErrorRule | undefined {
  const message = serverMessage ?? '';
  if (status === 404 && serverType === 'MissingOrInvalidRealm') {
    return {
      kind: 'not-found',
      what: 'Polaris does not know the realm of this request',
      fix:
        'send the realm in the Polaris-Realm header: add it to catalog.headers in floe.yaml ' +
        '(Polaris-Realm: <realm>, e.g. POLARIS; the server may name the header otherwise in polaris.realm-context.header-name)',
      retryable: false,
      reasonFirst: true,
    };
  }
  if (status === 400 && CREDENTIAL_ENDPOINTS.has(endpoint) && NO_CREDENTIALS_TO_VEND.test(message)) {
    return {
      kind: 'credential-vending-failed',
      what: 'the Polaris catalog has no storage credentials to vend (stsUnavailable: true, or no STS role)',
      fix:
        'set catalog.access_delegation: none in floe.yaml and give floe its own storage keys (storage.access_key_id, ' +
        'storage.secret_access_key), or give the Polaris catalog STS (roleArn, stsEndpoint) without stsUnavailable',
      retryable: false,
      reasonFirst: true,
    };
  }
  if (status === 422 && CREDENTIAL_ENDPOINTS.has(endpoint) && VENDING_FAILED.test(message)) {
    return credentialVendingRule(message);
  }
  if (status === 403 && endpoint === 'dropTable' && /purge/i.test(message)) {
    return {
      kind: 'forbidden',
      what: 'the Polaris catalog does not allow dropping a table with purge',
      fix:
        'drop it without --purge (its files stay), or set the catalog property polaris.config.drop-with-purge.enabled=true ' +
        'on the Polaris catalog (DROP_WITH_PURGE_ENABLED for the whole realm)',
      retryable: false,
      reasonFirst: true,
    };
  }
  if (status === 403 && /conflicts with existing table or namespace/i.test(message)) {
    return {
      kind: 'forbidden',
      what: 'the location belongs to another table or namespace of the Polaris catalog',
      fix: 'use a location no other table or namespace of the catalog is under (or drop that one first); Polaris does not let two entities share a location',
      retryable: false,
      reasonFirst: true,
    };
  }
  if (status === 409 && endpoint === 'updateNamespaceProperties') {
    return {
      kind: 'commit-conflict',
      what: 'the catalog reported a concurrent modification of the namespace',
      fix: 'run it again; floe reloads the namespace after this answer and reports the change as applied when it was (Polaris 1.4 answers so after applying it)',
      retryable: true,
      reasonFirst: true,
    };
  }
  return undefined;
}
