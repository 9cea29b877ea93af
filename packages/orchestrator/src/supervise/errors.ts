// Errors of the supervision room. They extend the package's OrchestratorError
// (one `code` each) so the daemon maps them like every other orchestrator error.
import { OrchestratorError } from '../errors.ts';

/** systemd or the Quadlet folder did not do what the platform asked. */
export class SupervisionError extends OrchestratorError {
  constructor(message: string) {
    super('supervise.failed', message);
  }
}

/** A rendered unit does not carry the app's label: writing it could overwrite another app's unit. */
export class UnitOwnershipError extends OrchestratorError {
  constructor(appId: string, filename: string) {
    super(
      'supervise.unit_not_owned',
      `Quadlet unit ${filename} does not carry the label of app "${appId}"; refusing to write it.`,
    );
  }
}
