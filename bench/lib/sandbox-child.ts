import { startSandbox, type SandboxOptions } from '../../sandbox/registry.ts';

/**
 * The simulators in a process of their own (forked by `sandbox-process.ts`): the hub under measurement must not
 * share its event loop with the channels' GraphQL validation, XML rendering and state reads — a real hub does not
 * host Shopify. Gets its options as argv[2] (JSON), answers with the endpoints over IPC, stops on disconnect.
 */
const options = JSON.parse(process.argv[2] ?? '{}') as SandboxOptions;
const sandbox = await startSandbox({ ...options, ports: 'free' });
process.send!({ endpoints: sandbox.endpoints });
process.on('disconnect', () => {
  void sandbox.close().finally(() => process.exit(0));
});
