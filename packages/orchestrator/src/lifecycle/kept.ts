// Data an app id keeps while nothing is installed under it (an uninstall
// without purge, a rolled-back install): its secrets, data and backups. That
// data belongs to the source that made it (state/owners.ts): an install of the
// same id from that source picks it up again (a feature: reinstall keeps data);
// from any other source, the install is refused before anything is touched,
// because handing one developer's app the secrets and volumes of another's is
// exactly what an attacker reusing a popular id would want.
import { existsSync } from 'node:fs';
import { OrchestratorError } from '../errors.ts';
import { appDataDir, backupDir } from '../runtime/paths.ts';
import { describeSource, ownerIdentity } from '../state/owners.ts';
import type { InstallSource } from '../state/types.ts';
import type { LifecycleDeps } from './context.ts';

/** What the id keeps, as people read it ("secrets", "data in …"); empty when nothing is kept. */
export function keptData(deps: LifecycleDeps, appId: string): string[] {
  const kept: string[] = [];
  if (deps.secrets.exists(appId)) kept.push('secrets');
  const data = appDataDir(deps.dataRoot, appId);
  if (existsSync(data)) kept.push(`data in ${data}`);
  const backups = backupDir(deps.dataRoot, appId, '');
  if (existsSync(backups)) kept.push(`backups in ${backups}`);
  return kept;
}

/** Whether anything of the id is left to purge: kept data, or the record of whose it is. */
export function hasResidue(deps: LifecycleDeps, appId: string): boolean {
  return deps.state.owners.get(appId) !== undefined || keptData(deps, appId).length > 0;
}

export class KeptDataOfAnotherSourceError extends OrchestratorError {
  constructor(appId: string, kept: readonly string[], from: string, given: string) {
    super(
      'install.kept_data_of_another_source',
      `Cannot install "${appId}" from ${given}: this node keeps ${kept.join(', ')} of an earlier "${appId}" ` +
        `installed from ${from}, and that data is not handed to an app from another source. ` +
        `To install this one, delete the kept data first with \`archy app uninstall ${appId} --purge\` ` +
        `(it is gone for good), or install "${appId}" from ${from} again to use it.`,
    );
  }
}

/**
 * Whether `source` may have the data `recorded` made. A record written before publishers were recorded
 * (an install from before this version) names only the catalog source id: the same source id, now
 * vouched for by its publisher's key, is the same app; the install then records that key.
 */
function sameOwner(recorded: InstallSource, source: InstallSource): boolean {
  if (ownerIdentity(recorded) === ownerIdentity(source)) return true;
  return (
    recorded.publisher === undefined &&
    source.publisher !== undefined &&
    recorded.catalog !== undefined &&
    recorded.catalog === source.catalog
  );
}

/** Refuses an install of `appId` from `source` when the id keeps data that another source made. */
export function checkKeptOwner(deps: LifecycleDeps, appId: string, source: InstallSource): void {
  const kept = keptData(deps, appId);
  // Nothing kept (an install that failed before it made any): nothing to hand over.
  if (kept.length === 0) return;
  const owner = deps.state.owners.get(appId);
  // Without a record (data kept before owners were recorded, or put there by hand) whose it is cannot be shown.
  if (owner !== undefined && sameOwner(owner.source, source)) return;
  throw new KeptDataOfAnotherSourceError(
    appId,
    kept,
    owner === undefined ? 'a source this node did not record' : describeSource(owner.source),
    describeSource(source),
  );
}

export class OnlyKeptDataError extends OrchestratorError {
  constructor(appId: string, kept: readonly string[]) {
    super(
      'uninstall.only_kept_data',
      `App "${appId}" is not installed; only ${kept.length > 0 ? kept.join(', ') : 'the record of its data'} ` +
        `is kept from an earlier install. To delete it, run \`archy app uninstall ${appId} --purge\`.`,
    );
  }
}
