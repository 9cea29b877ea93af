// @archipelago/daemon: the HTTP/JSON-RPC front of a node. Clients import
// `@archipelago/daemon/api` (types, no server code) and `@archipelago/daemon/client`;
// tests bring up a real node with `@archipelago/daemon/test-node`. The server
// side is exported here for embedding (the composition root is src/main.ts).
export * from './api.ts';
export {
  ArchyClient,
  type ClientOptions,
  type EventStream,
  type EventStreamOptions,
  RpcError,
} from './client.ts';
export { Config, configHelp, defaults, loadConfig } from './config.ts';
export { cliTokenPath, type RunningDaemon, startDaemon } from './daemon.ts';
export * from './errors.ts';
export { createLogger, type Logger, Redactor } from './log.ts';
export type { AppsPort, CatalogPort, EventBody, ResolvedManifest, Services } from './services.ts';
