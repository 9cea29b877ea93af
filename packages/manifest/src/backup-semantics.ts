// Rules of the manifest's `backup` section (issue 18) that relate it to the
// rest of the manifest: a dump needs a command in a real member, and a
// command without "dump" consistency would never run.
import { error, type Finding, warning } from './issues.ts';
import type { Manifest } from './schema.ts';

export function checkBackupPolicy(m: Manifest, out: Finding[]): void {
  const policy = m.backup;
  if (!policy) return;
  if (policy.consistency === 'dump' && !policy.dump) {
    out.push(
      error(['backup', 'dump'], 'backup_dump_missing', 'consistency "dump" needs a `dump` command to run'),
    );
  }
  if (policy.dump && policy.consistency !== 'dump') {
    out.push(
      warning(
        ['backup', 'dump'],
        'backup_dump_unused',
        `the dump command runs only with consistency "dump" (this is "${policy.consistency}")`,
      ),
    );
  }
  if (policy.dump && !m.containers.some((c) => c.name === policy.dump?.container)) {
    out.push(
      error(
        ['backup', 'dump', 'container'],
        'unknown_member',
        `"${policy.dump.container}" is not a member of this app (members: ${m.containers.map((c) => c.name).join(', ')})`,
      ),
    );
  }
  const backedUp = Object.values(m.volumes).filter((v) => v.kind === 'bind' && !v.recreatable);
  if (backedUp.length === 0 && Object.keys(m.volumes).length > 0) {
    out.push(
      warning(
        ['volumes'],
        'backup_nothing',
        'every volume is recreatable or a named volume: a backup holds only this app’s secrets and intent',
      ),
    );
  }
}
