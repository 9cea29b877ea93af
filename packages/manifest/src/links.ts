// The checks of an app's links to other apps that one manifest can make on
// its own: exported paths lie in a bind volume of the app, a dependency's
// mounts land in a member at a free target, and a template that reads an
// optional dependency says what to render while it is absent. Checks that
// need the other manifest (the export key exists, no dependency cycle) are in
// manifest-set.ts.
import { posix } from 'node:path';
import { error, type Finding } from './issues.ts';
import type { Manifest } from './schema.ts';
import { dependencyAlias, templatedStrings } from './semantics.ts';
import { templateRefs } from './templates.ts';

function checkExportedPaths(m: Manifest, out: Finding[]): void {
  for (const [key, e] of Object.entries(m.exported_paths)) {
    const decl = m.volumes[e.volume];
    if (decl === undefined)
      out.push(
        error(
          ['exported_paths', key, 'volume'],
          'export_unknown_volume',
          `exported path "${key}" names volume "${e.volume}", which is not declared in volumes`,
        ),
      );
    else if (decl.kind !== 'bind')
      // A named volume lives in the engine's storage: the platform cannot read a path of it safely.
      out.push(
        error(
          ['exported_paths', key, 'volume'],
          'export_named_volume',
          `exported path "${key}" must lie in a bind volume; "${e.volume}" is a named volume`,
        ),
      );
    if (posix.normalize(e.path).replace(/\/+$/, '') === '.')
      out.push(
        error(
          ['exported_paths', key, 'path'],
          'export_volume_root',
          `exported path "${key}" must name a file or directory inside volume "${e.volume}", not the whole volume`,
        ),
      );
  }
}

/** Targets a member already mounts something at (its own volumes and earlier dependency mounts). */
function targetsOf(m: Manifest, member: string): Set<string> {
  const c = m.containers.find((x) => x.name === member);
  return new Set(
    (c?.volumes ?? []).map((v) => posix.normalize('tmpfs' in v ? v.tmpfs : v.target).replace(/\/$/, '')),
  );
}

function checkDependencyMounts(m: Manifest, out: Finding[]): void {
  const members = new Set(m.containers.map((c) => c.name));
  const used = new Map<string, Set<string>>();
  m.dependencies.forEach((d, di) => {
    d.mounts.forEach((mount, mi) => {
      const at = ['dependencies', di, 'mounts', mi] as const;
      if (!members.has(mount.container)) {
        out.push(
          error(
            [...at, 'container'],
            'unknown_member',
            `mount of "${dependencyAlias(d)}.${mount.export}" names member "${mount.container}", which is not a member of this app`,
          ),
        );
        return;
      }
      const targets = used.get(mount.container) ?? targetsOf(m, mount.container);
      used.set(mount.container, targets);
      const target = posix.normalize(mount.target).replace(/\/$/, '');
      if (targets.has(target))
        out.push(
          error(
            [...at, 'target'],
            'duplicate_mount_target',
            `member "${mount.container}" already mounts something at ${mount.target}`,
          ),
        );
      targets.add(target);
    });
  });
}

function checkOptionalDefaults(m: Manifest, out: Finding[]): void {
  const optional = new Set(m.dependencies.filter((d) => d.optional).map(dependencyAlias));
  for (const { at, text } of templatedStrings(m)) {
    for (const ref of templateRefs(text)) {
      if (ref.kind === 'dep' && optional.has(ref.alias) && ref.fallback === undefined)
        out.push(
          error(
            at,
            'optional_dependency_default',
            `${ref.raw} reads the optional dependency "${ref.alias}": give the value while it is absent, as {{dep:${ref.alias}.${ref.key}|DEFAULT}}`,
          ),
        );
    }
  }
}

export function checkLinks(m: Manifest, out: Finding[]): void {
  checkExportedPaths(m, out);
  checkDependencyMounts(m, out);
  checkOptionalDefaults(m, out);
}
