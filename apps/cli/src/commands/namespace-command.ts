// `floe namespace list|create|describe|set|drop`: namespaces of the configured Iceberg REST
// catalog. Nested namespaces are written with dots (`bronze.raw`); `create` makes missing
// parents and succeeds when the namespace already exists (saying so); `drop` refuses a
// namespace that still holds tables or child namespaces, with the catalog's explanation.
import type { Namespace } from '@floe/catalog';
import { createCommandGroup, type Invocation, type Subcommand } from '../catalog/catalog-command-group.ts';
import { parsePropertyFlags, parseRemovalFlags } from '../catalog/property-flags.ts';
import { type Command, EXIT_FAILURE, EXIT_OK, UsageError } from '../command.ts';
import { renderProperties, renderTextTable, toJsonOutput } from '../output/text-table.ts';

const PROP_FLAG = { prop: { type: 'string', multiple: true } } as const;

function dotted(namespace: Namespace): string {
  return namespace.join('.');
}

function argAt(invocation: Invocation, index: number): string {
  return invocation.args[index] as string;
}

/** Human output of `namespace list`; exported for unit tests. */
export function renderNamespaceList(namespaces: readonly Namespace[], parent: string | undefined): string {
  if (namespaces.length === 0) {
    return parent === undefined ? 'no namespaces in this catalog\n' : `no namespaces under ${parent}\n`;
  }
  return renderTextTable(
    ['namespace'],
    namespaces.map((namespace) => [dotted(namespace)]),
  );
}

const list: Subcommand = {
  name: 'list',
  usage: 'list [PARENT]',
  summary: 'list top-level namespaces, or the children of PARENT',
  args: ['PARENT?'],
  async run(invocation) {
    const parent = invocation.args[0];
    const namespaces = await invocation.catalog.listNamespaces(parent);
    invocation.io.stdout(
      invocation.format === 'json'
        ? toJsonOutput(namespaces.map((namespace) => ({ namespace: dotted(namespace), levels: namespace })))
        : renderNamespaceList(namespaces, parent),
    );
    return EXIT_OK;
  },
};

const create: Subcommand = {
  name: 'create',
  usage: 'create NS [--prop k=v …]',
  summary: 'create a namespace (and its missing parents) with properties',
  args: ['NS'],
  flags: PROP_FLAG,
  details: 'Options:\n  --prop <key=value>    a property of the new namespace (repeatable)',
  validate(_args, flags) {
    parsePropertyFlags(flags['prop']);
  },
  async run(invocation) {
    const properties = parsePropertyFlags(invocation.flags['prop']);
    const result = await invocation.catalog.createNamespace(argAt(invocation, 0), properties);
    const name = dotted(result.namespace);
    if (invocation.format === 'json') {
      invocation.io.stdout(
        toJsonOutput({
          namespace: name,
          levels: result.namespace,
          created: result.created,
          properties: result.properties,
        }),
      );
    } else if (result.created) {
      invocation.io.stdout(`✓ created namespace ${name}\n${renderProperties(result.properties)}`);
    } else {
      const ignored =
        Object.keys(properties).length === 0
          ? ''
          : '; the --prop values were not applied (use `floe namespace set`)';
      invocation.io.stdout(`- namespace ${name} already exists${ignored}\n`);
    }
    return EXIT_OK;
  },
};

const describe: Subcommand = {
  name: 'describe',
  usage: 'describe NS',
  summary: "show a namespace's properties",
  args: ['NS'],
  async run(invocation) {
    const info = await invocation.catalog.loadNamespace(argAt(invocation, 0));
    const name = dotted(info.namespace);
    invocation.io.stdout(
      invocation.format === 'json'
        ? toJsonOutput({ namespace: name, levels: info.namespace, properties: info.properties })
        : `Namespace ${name}\n\nProperties\n${renderProperties(info.properties)}`,
    );
    return EXIT_OK;
  },
};

const set: Subcommand = {
  name: 'set',
  usage: 'set NS [--prop k=v …] [--remove k …]',
  summary: 'set and remove namespace properties',
  args: ['NS'],
  flags: { ...PROP_FLAG, remove: { type: 'string', multiple: true } },
  details:
    'Options:\n  --prop <key=value>    set a property (repeatable)\n  --remove <key>        remove a property (repeatable)',
  validate(_args, flags) {
    const updates = parsePropertyFlags(flags['prop']);
    const removals = parseRemovalFlags(flags['remove'], updates);
    if (Object.keys(updates).length === 0 && removals.length === 0) {
      throw new UsageError('set needs at least one --prop key=value or --remove key');
    }
  },
  async run(invocation) {
    const updates = parsePropertyFlags(invocation.flags['prop']);
    const removals = parseRemovalFlags(invocation.flags['remove'], updates);
    const name = argAt(invocation, 0);
    const report = await invocation.catalog.updateNamespaceProperties(name, { updates, removals });
    if (invocation.format === 'json') {
      invocation.io.stdout(toJsonOutput({ namespace: name, ...report }));
      return EXIT_OK;
    }
    const lines = [`✓ updated namespace ${name}`];
    if (report.updated.length > 0) lines.push(`  set      ${report.updated.join(', ')}`);
    if (report.removed.length > 0) lines.push(`  removed  ${report.removed.join(', ')}`);
    if (report.missing.length > 0) lines.push(`  missing  ${report.missing.join(', ')} (nothing to remove)`);
    invocation.io.stdout(`${lines.join('\n')}\n`);
    return EXIT_OK;
  },
};

const drop: Subcommand = {
  name: 'drop',
  usage: 'drop NS',
  summary: 'drop an empty namespace',
  args: ['NS'],
  async run(invocation) {
    const name = argAt(invocation, 0);
    try {
      await invocation.catalog.dropNamespace(name);
    } catch (error) {
      if ((error as { kind?: unknown }).kind !== 'namespace-not-empty') throw error;
      invocation.io.stderr(
        `✗ namespace ${name} is not empty, so it was not dropped: drop or move its tables ` +
          `(\`floe table list ${name}\`) and child namespaces (\`floe namespace list ${name}\`) first\n`,
      );
      return EXIT_FAILURE;
    }
    invocation.io.stdout(
      invocation.format === 'json'
        ? toJsonOutput({ namespace: name, dropped: true })
        : `✓ dropped namespace ${name}\n`,
    );
    return EXIT_OK;
  },
};

export const NAMESPACE_SUBCOMMANDS: readonly Subcommand[] = [list, create, describe, set, drop];

export function createNamespaceCommand(): Command {
  return createCommandGroup(
    'namespace',
    'list, create, describe, change and drop namespaces of the Iceberg catalog',
    NAMESPACE_SUBCOMMANDS,
  );
}
