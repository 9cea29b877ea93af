// The orchestrator's event stream, which the daemon pushes to clients so
// nobody polls: app state changes, job progress (with new log lines), notifications.
import { EventEmitter } from 'node:events';
import type { Job, JobLogLine } from './state/jobs.ts';
import type { Notification } from './state/notifications.ts';
import type { AppStatus, Intent } from './state/types.ts';

export interface AppStateEvent {
  appId: string;
  /** Null once the app is uninstalled: it is gone from every list. */
  state: { status: AppStatus; statusDetail: string | null; intent: Intent; version: string } | null;
}

export interface JobProgressEvent {
  job: Job;
  /** Present when the event carries a new log line (already scrubbed of secrets). */
  log?: JobLogLine;
}

export interface OrchestratorEventMap {
  'app-state': [AppStateEvent];
  'job-progress': [JobProgressEvent];
  notification: [Notification];
}

export class OrchestratorEvents extends EventEmitter<OrchestratorEventMap> {}
