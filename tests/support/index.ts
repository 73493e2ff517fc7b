// @floe/test-support: what integration tests share (stack endpoints, Python peer runner).

export {
  type AuthGateway,
  type AuthGatewayOptions,
  type RecordedRequest,
  startAuthGateway,
} from './auth-gateway.ts';
export {
  type CommitFault,
  type CommitFaultProxy,
  type CommitRecord,
  commitFaults,
  startCommitFaultProxy,
} from './commit-fault-proxy.ts';
export { type Fault, type FaultProxy, faults, startFaultProxy } from './fault-proxy.ts';
export {
  type FloeApp,
  MAINTENANCE_WORKER,
  type StartFloeProcessOptions,
  startFloeProcess,
  WRITER_WORKER,
} from './floe-process.ts';
export { decodeKernelAddress, isLoopbackAddress, listeningAddresses } from './listening-sockets.ts';
export {
  POLARIS_POLICY_ENDPOINTS,
  type PolicyGateway,
  type PolicyGatewayOptions,
  type PolicyTarget,
  startPolicyGateway,
} from './polaris-policy-gateway.ts';
export { pythonEnv, runPython } from './python.ts';
export { type SparkPeer, startSparkPeer } from './spark.ts';
export { loadStackEnv, repoRoot, type StackEnv, stackEnvPath, stackS3Properties } from './stack-env.ts';
export { type StackFloeYamlOptions, stackCredentialEnv, stackFloeYaml } from './stack-floe-yaml.ts';
