// Where things live under the data root (one place, so no two parts of the
// platform disagree on which directory belongs to which app).
import { join } from 'node:path';

export interface DataPaths {
  root: string;
  stateFile: string;
  secretsRoot: string;
  appsRoot: string;
  backupsRoot: string;
}

export function dataPaths(root: string): DataPaths {
  return {
    root,
    stateFile: join(root, 'state.db'),
    secretsRoot: join(root, 'secrets'),
    appsRoot: join(root, 'apps'),
    backupsRoot: join(root, 'backups'),
  };
}

/** `<root>/apps/<app>`: the app's data directory (`{{APP_DATA}}`). */
export function appDataDir(root: string, appId: string): string {
  return join(root, 'apps', appId);
}

/** `<root>/apps/<app>/<volume>`: one bind volume. */
export function volumeDir(root: string, appId: string, volume: string): string {
  return join(appDataDir(root, appId), volume);
}

/** `<root>/backups/<app>/<label>`: copies of non-recreatable volumes taken before an update. */
export function backupDir(root: string, appId: string, label: string): string {
  return join(root, 'backups', appId, label);
}
