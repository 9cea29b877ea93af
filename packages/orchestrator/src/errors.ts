// Every error the orchestrator raises on purpose: a class with a stable string
// `code` (mapped to RPC codes by the daemon) and a message written for the
// operator. Messages never contain secret values.

export class OrchestratorError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The state database could not be opened or migrated. */
export class StateError extends OrchestratorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('state.error', message, options);
  }
}

/** A row in the state database did not have the shape the code expects. */
export class CorruptStateError extends OrchestratorError {
  constructor(where: string, detail: string) {
    super('state.corrupt', `The state database holds an unreadable value in ${where}: ${detail}`);
  }
}

export class AppNotInstalledError extends OrchestratorError {
  readonly appId: string;
  constructor(appId: string) {
    super('app.not_installed', `App "${appId}" is not installed.`);
    this.appId = appId;
  }
}

export class AppAlreadyInstalledError extends OrchestratorError {
  readonly appId: string;
  constructor(appId: string) {
    super('app.already_installed', `App "${appId}" is already installed; use update to change its version.`);
    this.appId = appId;
  }
}

/** Another job is running for the same app and cannot be joined. */
export class JobConflictError extends OrchestratorError {
  readonly appId: string;
  readonly activeJobId: string;
  constructor(appId: string, activeKind: string, activeJobId: string, requestedKind: string) {
    super(
      'job.conflict',
      `Cannot ${requestedKind} "${appId}" now: a ${activeKind} job (${activeJobId}) is still running for it. ` +
        `Wait for it to finish or cancel it.`,
    );
    this.appId = appId;
    this.activeJobId = activeJobId;
  }
}

export class JobNotFoundError extends OrchestratorError {
  constructor(jobId: string) {
    super('job.not_found', `No job with id "${jobId}".`);
  }
}

/** Raised inside a job when the operator cancelled it; the job ends `cancelled`, not `failed`. */
export class JobCancelledError extends OrchestratorError {
  constructor(jobId: string) {
    super('job.cancelled', `Job ${jobId} was cancelled.`);
  }
}

/** The manifest asks for permissions the operator did not grant. */
export class PermissionNotGrantedError extends OrchestratorError {
  readonly missing: readonly string[];
  constructor(appId: string, missing: readonly string[]) {
    super(
      'install.permission_not_granted',
      `App "${appId}" needs permissions the operator has not granted: ${missing.join('; ')}. ` +
        `Grant them to install it, or choose another app.`,
    );
    this.missing = missing;
  }
}

export class InvalidManifestError extends OrchestratorError {
  constructor(where: string, detail: string) {
    super('manifest.invalid', `The manifest ${where} is not valid: ${detail}`);
  }
}

export class InvalidArgumentError extends OrchestratorError {
  constructor(method: string, parameter: string, detail: string) {
    super('argument.invalid', `${method}: parameter "${parameter}" ${detail}`);
  }
}

export class SecretError extends OrchestratorError {
  constructor(appId: string, secret: string, detail: string) {
    super('secret.error', `Secret "${secret}" of app "${appId}": ${detail}`);
  }
}

/** The app's members did not become healthy in time. */
export class HealthTimeoutError extends OrchestratorError {
  constructor(appId: string, member: string, seconds: number, lastProblem: string) {
    super(
      'health.timeout',
      `App "${appId}" did not become healthy: member "${member}" still failed its health check after ${seconds} s ` +
        `(last result: ${lastProblem}). Check its logs.`,
    );
  }
}

/** A member container exited while the platform waited for it to become healthy. */
export class MemberExitedError extends OrchestratorError {
  constructor(appId: string, member: string, exitCode: number | undefined) {
    super(
      'member.exited',
      `App "${appId}": member "${member}" exited${exitCode === undefined ? '' : ` with code ${exitCode}`} ` +
        `while starting. Check its logs.`,
    );
  }
}

export class HookError extends OrchestratorError {
  constructor(appId: string, step: number, detail: string) {
    super('hook.failed', `App "${appId}": post-install step ${step + 1} failed: ${detail}`);
  }
}

export class DependencyMissingError extends OrchestratorError {
  constructor(appId: string, dependency: string) {
    super(
      'dependency.missing',
      `App "${appId}" depends on "${dependency}", which is not installed. Install it first.`,
    );
  }
}

/** The code and message a job records for a failure (engine errors carry their own code). */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    return { code: error.code, message: error.message };
  }
  if (error instanceof Error) return { code: 'internal', message: error.message };
  return { code: 'internal', message: String(error) };
}

/** monitor (issue 20): the data root's filesystem is too full to start an install. */
export class InsufficientDiskError extends OrchestratorError {
  readonly freeBytes: number;
  readonly neededBytes: number;
  constructor(appId: string, path: string, freeBytes: number, neededBytes: number) {
    const mib = (b: number) => `${Math.floor(b / (1024 * 1024))} MiB`;
    super(
      'install.insufficient_disk',
      `Not enough disk to install "${appId}": the data root ${path} has ${mib(freeBytes)} free and an install needs at least ${mib(neededBytes)} free. Free some disk space (see "what uses my disk") and try again.`,
    );
    this.freeBytes = freeBytes;
    this.neededBytes = neededBytes;
  }
}
