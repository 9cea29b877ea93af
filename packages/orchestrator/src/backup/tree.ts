// Removing a restored or set-aside tree whose files may belong to an app's
// uid: from inside the service user's namespace when a plain removal fails.
import { existsSync, rmSync } from 'node:fs';
import { runInUserNamespace } from '@archipelago/podman';

export async function removeTreeInside(path: string, podmanPath: string): Promise<void> {
  if (!existsSync(path)) return;
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    await runInUserNamespace(['rm', '-rf', '--one-file-system', path], { podmanPath, timeoutMs: 600_000 });
  }
}
