// Applicable Polaris policies as the catalog would report them, for the unit tests of the
// settings layering (retention-policy.test.ts, compaction-decision.test.ts).
import type { ApplicablePolicy } from '@floe/catalog';

/** A policy of `type` named `name` in namespace `sales`, with `content` as its JSON text. */
export function polaris(type: string, name: string, content: unknown, inherited = false): ApplicablePolicy {
  return {
    name,
    type,
    namespace: ['sales'],
    version: 1,
    inherited,
    inheritable: true,
    content: JSON.stringify(content),
  };
}
