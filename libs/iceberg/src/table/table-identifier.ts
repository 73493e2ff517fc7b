// The one table identifier of floe (DESIGN §2: this library is the bottom of the dependency
// graph, so the catalog client, the job contract and the apps all use this type) and the one
// way to print it: dotted, namespace levels first (`bronze.raw.events`).

export interface TableIdentifier {
  /** Namespace levels, outermost first: `['bronze', 'raw']`. */
  readonly namespace: readonly string[];
  readonly name: string;
}

/** `bronze.raw.events`: how logs, metrics and messages name a table. */
export function formatTable(identifier: TableIdentifier): string {
  return [...identifier.namespace, identifier.name].join('.');
}
