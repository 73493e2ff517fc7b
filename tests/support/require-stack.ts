// vitest globalSetup for the integration project: fail fast, with the fix, when the stack is down.
import { loadStackEnv } from './stack-env.ts';

export default function requireStack(): void {
  loadStackEnv();
}
