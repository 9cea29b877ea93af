export type { EngineContainer, NodeDriver } from './driver.ts';
export { availability, lifecycleSteps, type Step, type StepName } from './matrix.ts';
export { formatReport, type ReportFormat } from './report/index.ts';
export { appPassed, reportPassed, type AppResult, type GateReport, type StepResult } from './result.ts';
export { runGate, type GateOptions } from './run.ts';
export type { AppUnderTest } from './steps.ts';
export {
  qualityLevel,
  qualityLevels,
  type QualityContext,
  type QualityLevel,
  ROUNDS_FOR_REPEATED,
} from './report/quality-level.ts';
