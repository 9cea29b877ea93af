// THE choke point for automatic starts. Every start the platform makes on its
// own — reconcile passes, dependency rules, health restarts, the tick — asks
// here first. Lesson (BRIEF, "Never resurrect what the operator stopped"): a
// predecessor's dependency rules, health monitors and port watchdogs each had
// their own idea and restarted apps the operator had stopped. Operator jobs
// set the intent before they act, so they pass through here too.
import type { Intent } from './model.ts';

export interface StartGate {
  intent: Intent;
  status: string;
  /** An operator job is acting on the app. */
  busy: boolean;
}

export type StartVerdict = { allowed: true } | { allowed: false; reason: string };

export function mayStart(app: StartGate): StartVerdict {
  if (app.intent !== 'running') return { allowed: false, reason: 'the operator stopped it' };
  if (app.busy) return { allowed: false, reason: 'an operator job is working on it' };
  if (app.status === 'failed')
    return { allowed: false, reason: 'it failed; only the operator can start it again' };
  return { allowed: true };
}
