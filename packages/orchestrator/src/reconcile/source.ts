// What the reconciler needs from the rest of the orchestrator, named in one
// place: the installed apps and their intent (state), their rendered specs
// (runtime's renderApp), whether a job is acting on them, and the idempotent
// preparation steps. The facade implements it from the state store and the
// runtime; the reconciler never reads SQLite or renders templates itself.
import { LABELS, type LibpodSpec, type Manifest } from '@archipelago/manifest';
import type { AppStatus, DesiredApp, HealthState } from './model.ts';

/** The fields of an installed app (state's InstalledApp) the reconciler reads. */
export interface ReconcilableApp {
  id: string;
  manifest: Manifest;
  intent: 'running' | 'stopped';
  status: string;
  statusDetail: string | null;
}

export interface ReconcileSource {
  /** Every installed app, read once per pass. */
  apps(): readonly ReconcilableApp[];
  /** The create bodies of the app's members (with spec-hash labels), rendered from the current state. */
  specs(app: ReconcilableApp): readonly LibpodSpec[];
  /** An operator job is acting on the app right now. */
  busy(appId: string): boolean;
  /**
   * Makes sure the app's network, volumes and engine secrets exist
   * (idempotent), before a member is created.
   */
  prepare(app: ReconcilableApp): Promise<void>;
  /** After a member was (re)created: removes the app's engine secrets no current spec references. */
  pruneSecrets(app: ReconcilableApp): Promise<void>;
  /** Renders the app's templated files and writes those that changed (idempotent). */
  writeFiles(app: ReconcilableApp): Promise<void>;
  setStatus(appId: string, status: AppStatus, detail: string): void;
  notify(appId: string, title: string, message: string): void;
  recordHealth(appId: string, member: string, state: HealthState, detail: string): void;
}

/** The planner's view of one installed app, from its state row and rendered specs. Pure. */
export function desiredApp(app: ReconcilableApp, specs: readonly LibpodSpec[], busy: boolean): DesiredApp {
  return {
    id: app.id,
    intent: app.intent,
    status: app.status,
    statusDetail: app.statusDetail ?? '',
    busy,
    members: specs.map((spec) => {
      const member = spec.labels[LABELS.member] ?? spec.name;
      const c = app.manifest.containers.find((x) => x.name === member);
      return {
        member,
        containerName: spec.name,
        specHash: spec.labels[LABELS.specHash] ?? '',
        dependsOn: c?.depends_on ?? [],
        hasHealth: c?.health !== undefined,
        stopGraceSecs: spec.stop_timeout,
      };
    }),
    dependencies: app.manifest.dependencies.map((d) => ({
      app: d.app,
      alternatives: d.alternatives,
      condition: d.condition,
      optional: d.optional,
    })),
    // Copies of dependencies' exported paths are refreshed with the files, every pass.
    hasFiles: app.manifest.files.length > 0 || app.manifest.dependencies.some((d) => d.mounts.length > 0),
    hasReadyProbe: app.manifest.ready !== undefined,
  };
}
