// What each lifecycle state looks like and which actions it allows. Pure.
import type { AppState, InstalledApp } from '../api/contract.ts';

export type Tone = 'ok' | 'warn' | 'danger' | 'busy' | 'idle';

export interface StatusLook {
  label: string;
  tone: Tone;
}

const LOOKS: Record<AppState, StatusLook> = {
  installing: { label: 'Installing', tone: 'busy' },
  running: { label: 'Running', tone: 'ok' },
  starting: { label: 'Starting', tone: 'busy' },
  stopping: { label: 'Stopping', tone: 'busy' },
  stopped: { label: 'Stopped', tone: 'idle' },
  restarting: { label: 'Restarting', tone: 'busy' },
  updating: { label: 'Updating', tone: 'busy' },
  uninstalling: { label: 'Uninstalling', tone: 'busy' },
  waiting: { label: 'Waiting', tone: 'warn' },
  unhealthy: { label: 'Unhealthy', tone: 'warn' },
  failed: { label: 'Failed', tone: 'danger' },
};

export function statusLook(state: AppState): StatusLook {
  return LOOKS[state];
}

/** A job is in flight: every action but "open" waits for it. */
export function isBusy(state: AppState): boolean {
  return LOOKS[state].tone === 'busy';
}

/** The sentence under the badge, from the platform's own detail. */
export function statusDetail(app: Pick<InstalledApp, 'state' | 'stateDetail'>): string | undefined {
  switch (app.state) {
    case 'failed':
      return app.stateDetail ?? 'It failed without saying why.';
    case 'unhealthy':
      return app.stateDetail ?? 'Its health check is failing.';
    case 'waiting':
      return app.stateDetail ?? 'Waiting for a dependency to be ready.';
    default:
      return app.stateDetail ?? undefined;
  }
}

export interface AllowedActions {
  open: boolean;
  start: boolean;
  stop: boolean;
  restart: boolean;
  uninstall: boolean;
  retry: boolean;
}

export function allowedActions(app: Pick<InstalledApp, 'state'>, hasLaunch: boolean): AllowedActions {
  const up = app.state === 'running' || app.state === 'unhealthy';
  return {
    open: up && hasLaunch,
    start: app.state === 'stopped',
    stop: up || app.state === 'waiting' || app.state === 'starting',
    restart: up,
    uninstall: app.state !== 'uninstalling' && app.state !== 'installing',
    retry: app.state === 'failed',
  };
}
