// @floe/test-support: what integration tests share (stack endpoints, Python peer runner).

export { pythonEnv, runPython } from './python.ts';
export { loadStackEnv, repoRoot, type StackEnv, stackEnvPath } from './stack-env.ts';
