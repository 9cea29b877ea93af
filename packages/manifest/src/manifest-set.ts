// Checks across several manifests at once (a catalog, or `archy app validate
// apps/*/manifest.yml`): ids unique, `{{dep:ALIAS.KEY}}` names an export the
// dependency really declares, a "ready" condition has a ready probe to wait
// on. Two apps publishing the same host port is a warning: alternatives (two
// Bitcoin nodes) legitimately do, and the installer refuses the clash.
import { error, type Finding, formatPath, type Issue, warning } from './issues.ts';
import type { Manifest } from './schema.ts';
import { dependencyAlias, templatedStrings } from './semantics.ts';
import { checkLinksAcross } from './links-set.ts';
import { templateRefs } from './templates.ts';
import type { ManifestSource } from './validate.ts';

export interface ManifestSetEntry {
  manifest: Manifest;
  source: ManifestSource;
}

export function validateManifestSet(entries: readonly ManifestSetEntry[]): Issue[] {
  const byId = new Map<string, ManifestSetEntry>();
  const issues: Issue[] = [];
  const report = (entry: ManifestSetEntry, f: Finding) => {
    const { line, column } = entry.source.locate(f.path);
    issues.push({
      file: entry.source.file,
      line,
      column,
      path: formatPath(f.path),
      message: f.message,
      code: f.code,
      severity: f.severity,
    });
  };

  for (const entry of entries) {
    const prev = byId.get(entry.manifest.id);
    if (prev)
      report(
        entry,
        error(
          ['id'],
          'duplicate_app_id',
          `app id "${entry.manifest.id}" is already used by ${prev.source.file}`,
        ),
      );
    else byId.set(entry.manifest.id, entry);
  }

  const hostPorts = new Map<string, string>();
  for (const entry of entries) {
    const m = entry.manifest;
    m.containers.forEach((c, ci) => {
      c.ports.forEach((p, pi) => {
        const key = `${p.host}/${p.protocol}`;
        const owner = hostPorts.get(key);
        if (owner !== undefined && owner !== m.id) {
          report(
            entry,
            warning(
              ['containers', ci, 'ports', pi, 'host'],
              'host_port_taken',
              `host port ${key} is also published by app "${owner}"; both cannot run at once`,
            ),
          );
        } else hostPorts.set(key, m.id);
      });
    });

    m.dependencies.forEach((d, di) => {
      const candidates = [d.app, ...d.alternatives].map((id) => byId.get(id)).filter((e) => e !== undefined);
      if (candidates.length === 0) {
        report(
          entry,
          warning(
            ['dependencies', di, 'app'],
            'dependency_not_in_set',
            `dependency "${d.app}" is not among the manifests checked, so its exports cannot be checked`,
          ),
        );
        return;
      }
      if (d.condition === 'ready') {
        for (const cand of candidates) {
          if (!cand.manifest.ready) {
            report(
              entry,
              error(
                ['dependencies', di, 'condition'],
                'dependency_not_ready_capable',
                `condition "ready" needs app "${cand.manifest.id}" to declare a ready probe, and it has none`,
              ),
            );
          }
        }
      }
    });

    const aliasApps = new Map(m.dependencies.map((d) => [dependencyAlias(d), [d.app, ...d.alternatives]]));
    for (const { at, text } of templatedStrings(m)) {
      for (const ref of templateRefs(text)) {
        if (ref.kind !== 'dep') continue;
        for (const appId of aliasApps.get(ref.alias) ?? []) {
          const dep = byId.get(appId);
          if (dep && !Object.hasOwn(dep.manifest.exports, ref.key)) {
            const offered = Object.keys(dep.manifest.exports);
            report(
              entry,
              error(
                at,
                'unknown_export',
                `${ref.raw}: app "${appId}" exports no "${ref.key}" (it exports: ${offered.join(', ') || 'nothing'})`,
              ),
            );
          }
        }
      }
    }
  }
  for (const entry of entries) checkLinksAcross(entry, byId, report);
  return issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
