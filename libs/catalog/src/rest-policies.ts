// The one Polaris policy call floe makes: `GET /polaris/v1/{prefix}/applicable-policies` for a
// table (namespace levels joined by the catalog's separator, `target-name` the table), following
// page tokens, typed by policies.ts. A catalog that does not advertise the endpoint in
// `/v1/config` has no policy API: the answer is `undefined` and maintenance behaves as without
// Polaris. Spans and logs are opened by RestCatalog.

import type { TableIdentifier } from './catalog.ts';
import { formatTable } from './identifiers.ts';
import { paginate } from './internal/paginate.ts';
import { applicablePolicyFromWire, tablePoliciesFrom } from './policies.ts';
import type { ApplicablePolicy, TablePolicies } from './policy-types.ts';
import type { RestSession } from './rest-session.ts';
import type { OperationRecord } from './telemetry.ts';
import { applicablePoliciesResponseSchema } from './wire/policies.ts';

export async function loadApplicablePolicies(
  session: RestSession,
  record: OperationRecord,
  id: TableIdentifier,
): Promise<TablePolicies | undefined> {
  const config = await session.config(record);
  if (!config.supported.has('getApplicablePolicies')) return undefined;
  const object = `policies of table ${formatTable(id)}`;
  const policies: ApplicablePolicy[] = [];
  await paginate('getApplicablePolicies', object, async (pageToken) => {
    const response = await session.call({
      endpoint: 'getApplicablePolicies',
      operation: 'getApplicablePolicies',
      object,
      query: { namespace: id.namespace.join(config.separator), 'target-name': id.name, pageToken },
      idempotent: true,
      record,
    });
    const page = session.parse(
      response,
      applicablePoliciesResponseSchema,
      'getApplicablePolicies',
      object,
      session.baseUri,
    );
    for (const wire of page['applicable-policies']) policies.push(applicablePolicyFromWire(wire));
    return page['next-page-token'] ?? undefined;
  });
  return tablePoliciesFrom(id, policies);
}
