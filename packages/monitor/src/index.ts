// @archipelago/monitor: samplers (engine stats or /proc), history, thresholds, alert rules (pure) and
// delivery channels. The daemon composes a Monitor with an AppFactsSource built from the orchestrator.
export { type AlerterState, EMPTY_ALERTER, type Notice, noticeText, stepAlerter } from './alerts/alerter.ts';
export type { Channel } from './delivery/channel.ts';
export { type AlertSettings, type AlertSettingsView, parseSettings, publicView } from './delivery/config.ts';
export { EmailChannel, type EmailConfig } from './delivery/email.ts';
export { WebhookChannel, type WebhookConfig, webhookBody } from './delivery/webhook.ts';
export * from './errors.ts';
export { flattenSnapshot } from './history/flatten.ts';
export { type HistoryPoint, type HistoryQuery, HistoryStore } from './history/store.ts';
export { MAX_POINTS, TIERS, type Tier } from './history/tiers.ts';
export { MonitorMetrics } from './metrics.ts';
export { Monitor, type MonitorOptions } from './monitor.ts';
export { NodeSampler, sampleFilesystems, type WatchedPath } from './node/sample-node.ts';
export type { Condition, ConditionKind } from './rules/conditions.ts';
export { evaluate, formatDuration, type RuleInput } from './rules/evaluate.ts';
export {
  type AppThresholds,
  DEFAULT_THRESHOLDS,
  mergeThresholds,
  type Thresholds,
} from './rules/thresholds.ts';
export { linearTrend, timeToZeroMs } from './rules/trend.ts';
export { Sampler, type SamplerOptions } from './sampler.ts';
export type * from './types.ts';
