// Health: probes (http, tcp, exec; tcp liveness), the verdict state machine,
// progress percentages, and the monitor that runs probes on schedule.
export {
  type AppProbeTarget,
  HealthMonitor,
  type HealthMonitorOptions,
  type MemberProbeTarget,
  timingOf,
} from './monitor.ts';
export {
  type ExecInContainer,
  listenProbe,
  type ProbeEndpoint,
  type PublishedPort,
  runProbe,
  tcpConnect,
} from './probes.ts';
export { parsePercent, percentFromJson } from './progress.ts';
export { firstVerdict, nextVerdict, type ProbeResult, type ProbeTiming, type Verdict } from './verdict.ts';
