// `npm run jobs:schema`: writes the job contract's JSON Schema files to libs/jobs/schema/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderJsonSchemas } from './json-schema.ts';

const dir = join(import.meta.dirname, '..', 'schema');
for (const [file, text] of Object.entries(renderJsonSchemas())) {
  writeFileSync(join(dir, file), text);
  console.log(`wrote ${join('libs/jobs/schema', file)}`);
}
