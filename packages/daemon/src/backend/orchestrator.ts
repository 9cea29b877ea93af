// Adapts the orchestrator's facade to the daemon's AppsPort: maps its records
// to the wire types of api.ts (pure functions below) and its events to push
// events. No decisions are made here; the orchestrator owns the lifecycle.
import type {
  Job as OrchJob,
  Notification as OrchNotification,
  InstalledApp as OrchApp,
  Orchestrator,
} from '@archipelago/orchestrator';
import { securityRating } from '@archipelago/manifest';
import type { InstalledApp, Job, Notification } from '../api.ts';
import type { Redactor } from '../log.ts';
import type { AppsPort, EventBody, ResolvedManifest } from '../services.ts';
import { NotFoundError } from '../errors.ts';

export function toInstalledApp(app: OrchApp): InstalledApp {
  return {
    id: app.id,
    name: app.manifest.name,
    version: app.version,
    intent: app.intent,
    state: app.status,
    stateDetail: app.statusDetail,
    grants: [...app.grants],
    source: app.source.catalog ?? (app.source.dir ? `local:${app.source.dir}` : 'unknown'),
    installedAt: app.installedAt,
    updatedAt: app.updatedAt,
    manifest: app.manifest,
    // What the operator granted, not what the manifest asks for: the app runs with exactly these.
    security: securityRating({ manifest: app.manifest, grants: app.grants }),
  };
}

export function toJob(job: OrchJob): Job {
  return {
    id: job.id,
    appId: job.appId,
    kind: job.kind,
    state: job.state,
    stage: job.stage === '' ? null : job.stage,
    stages: [...job.stages],
    percent: job.percent,
    error: job.error,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    finishedAt: job.finishedAt,
  };
}

export function toNotification(n: OrchNotification): Notification {
  return {
    id: String(n.id),
    level: n.level,
    appId: n.appId,
    title: n.title,
    message: n.message,
    createdAt: n.createdAt,
    acknowledged: n.ackedAt !== null,
  };
}

/** Where a manifest came from, as the orchestrator records it (the publisher decides whose kept data is). */
export function installSource(resolved: ResolvedManifest): {
  catalog: string;
  dir?: string;
  publisher?: string;
} {
  return {
    catalog: resolved.source,
    ...(resolved.dir ? { dir: resolved.dir } : {}),
    ...(resolved.publisher ? { publisher: resolved.publisher } : {}),
  };
}

export interface OrchestratorPortOptions {
  /** What the engine says about itself (the composition root asks the engine client it built). */
  engineInfo: AppsPort['engineInfo'];
  /** Credential values are secrets: registered so no log line can ever show them. */
  redact: Redactor;
}

export function orchestratorPort(orchestrator: Orchestrator, options: OrchestratorPortOptions): AppsPort {
  const job = async (submit: () => { job: OrchJob }) => toJob(submit().job);
  return {
    list: async () => orchestrator.listApps().map(toInstalledApp),
    get: async (id) => toInstalledApp(orchestrator.getApp(id)),
    install: (resolved, grants) =>
      job(() =>
        orchestrator.install(resolved.manifest, {
          grants,
          source: installSource(resolved),
        }),
      ),
    start: (id) => job(() => orchestrator.startApp(id)),
    stop: (id) => job(() => orchestrator.stopApp(id)),
    restart: (id) => job(() => orchestrator.restartApp(id)),
    update: (id, resolved, grants) =>
      job(() =>
        orchestrator.update(id, resolved.manifest, {
          grants,
          source: installSource(resolved),
        }),
      ),
    uninstall: (id, purge) => job(() => orchestrator.uninstall(id, { purge })),
    logs: async (id, { member, tail }) =>
      (await orchestrator.logs(id, { tail, ...(member === undefined ? {} : { member }) })).map((l) => ({
        member: l.member,
        stream: l.stream,
        at: null,
        text: l.text,
      })),
    followLogs: (id, { member, tail, signal }) =>
      (async function* () {
        for await (const l of orchestrator.followLogs(id, {
          tail,
          signal,
          ...(member === undefined ? {} : { member }),
        }))
          yield { member: l.member, stream: l.stream, at: null, text: l.text };
      })(),
    credentials: async (id) => {
      const credentials = orchestrator.credentials(id);
      for (const c of credentials) if (c.secret) options.redact.add(c.value);
      return credentials;
    },
    listJobs: async ({ appId, limit }) =>
      orchestrator.listJobs({ limit, ...(appId ? { appId } : {}) }).map(toJob),
    getJob: async (id) => toJob(orchestrator.getJob(id)),
    cancelJob: async (id) => toJob(orchestrator.cancelJob(id)),
    jobLogs: async (id, afterSeq) =>
      orchestrator.jobLogs(id, afterSeq).map((l) => ({ seq: l.seq, at: l.at, line: l.line })),
    listNotifications: async ({ unacknowledgedOnly }) =>
      orchestrator.listNotifications({ unackedOnly: unacknowledgedOnly }).map(toNotification),
    ackNotification: async (id) => {
      const n = Number(id);
      if (!Number.isInteger(n) || !orchestrator.ackNotification(n))
        throw new NotFoundError(`Notification "${id}"`);
    },
    containerUse: async () => {
      const { containers, error } = await orchestrator.stats();
      if (error !== null) throw new Error(error);
      return containers;
    },
    engineInfo: options.engineInfo,
    supervision: () => orchestrator.supervision ?? null,
    subscribe: (listener: (event: EventBody) => void) => {
      const onApp = (e: {
        appId: string;
        state: { status: InstalledApp['state']; statusDetail: string | null } | null;
      }) =>
        listener({
          type: 'app-state',
          appId: e.appId,
          state: e.state?.status ?? null,
          detail: e.state?.statusDetail ?? null,
          at: new Date().toISOString(),
        });
      // Job log lines ride on job-progress events too; the push channel carries stage and percent changes only.
      const onJob = (e: { job: OrchJob; log?: unknown }) => {
        if (e.log === undefined) listener({ type: 'job-progress', job: toJob(e.job) });
      };
      const onNotification = (n: OrchNotification) =>
        listener({ type: 'notification', notification: toNotification(n) });
      orchestrator.events.on('app-state', onApp);
      orchestrator.events.on('job-progress', onJob);
      orchestrator.events.on('notification', onNotification);
      return () => {
        orchestrator.events.off('app-state', onApp);
        orchestrator.events.off('job-progress', onJob);
        orchestrator.events.off('notification', onNotification);
      };
    },
    close: () => orchestrator.close(),
  };
}
