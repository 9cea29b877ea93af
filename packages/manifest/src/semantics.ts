// Rules that relate fields to each other, checked after the shape is valid.
// Every rule reports all its findings (never only the first), each with the
// field path it is about; positions are added by the caller.
import { posix } from 'node:path';
import { COPY_FROM_HOST_ALLOWLIST, LINUX_CAPABILITIES } from './capabilities.ts';
import { refusedHostPath } from './host-paths.ts';
import { checkBackupPolicy } from './backup-semantics.ts';
import { checkImageRef } from './image-ref.ts';
import { checkLinks } from './links.ts';
import { error, type Finding, formatPath, type PathSegment, warning } from './issues.ts';
import { grantFor, permissionKey, permissionUses } from './permissions.ts';
import type { Container, Manifest, Probe } from './schema.ts';
import { TEMPLATE_FORMS, templateRefs } from './templates.ts';

/** Every templated string in the manifest with its field path. */
export function templatedStrings(m: Manifest): Array<{ at: PathSegment[]; text: string }> {
  const out: Array<{ at: PathSegment[]; text: string }> = [];
  m.containers.forEach((c, ci) => {
    for (const [k, v] of Object.entries(c.env)) out.push({ at: ['containers', ci, 'env', k], text: v });
    c.command?.forEach((v, i) => {
      out.push({ at: ['containers', ci, 'command', i], text: v });
    });
    c.entrypoint?.forEach((v, i) => {
      out.push({ at: ['containers', ci, 'entrypoint', i], text: v });
    });
  });
  m.files.forEach((f, i) => {
    out.push({ at: ['files', i, 'content'], text: f.content });
  });
  m.hooks.post_install.forEach((step, i) => {
    if ('template' in step)
      out.push({ at: ['hooks', 'post_install', i, 'template', 'content'], text: step.template.content });
    if ('exec' in step) {
      step.exec.command.forEach((v, j) => {
        out.push({ at: ['hooks', 'post_install', i, 'exec', 'command', j], text: v });
      });
    }
  });
  for (const [k, v] of Object.entries(m.exports)) out.push({ at: ['exports', k], text: v });
  m.credentials.forEach((c, i) => {
    out.push({ at: ['credentials', i, 'value'], text: c.value });
  });
  return out;
}

/** The name `{{dep:NAME.KEY}}` uses for a dependency. */
export function dependencyAlias(d: { app: string; as?: string | undefined }): string {
  return d.as ?? d.app;
}

function members(m: Manifest): Map<string, { c: Container; i: number }> {
  const map = new Map<string, { c: Container; i: number }>();
  m.containers.forEach((c, i) => {
    if (!map.has(c.name)) map.set(c.name, { c, i });
  });
  return map;
}

function checkIdentity(m: Manifest, out: Finding[]): void {
  const seen = new Map<string, number>();
  m.containers.forEach((c, i) => {
    const first = seen.get(c.name);
    if (first !== undefined) {
      out.push(
        error(
          ['containers', i, 'name'],
          'duplicate_member',
          `member name "${c.name}" is already used by containers[${first}]`,
        ),
      );
    } else seen.set(c.name, i);
  });
  const aliases = new Map<string, string>();
  for (const c of m.containers) aliases.set(c.name, c.name);
  m.containers.forEach((c, ci) => {
    c.network_aliases.forEach((a, ai) => {
      const owner = aliases.get(a);
      if (owner !== undefined && owner !== c.name) {
        out.push(
          error(
            ['containers', ci, 'network_aliases', ai],
            'duplicate_alias',
            `network alias "${a}" is already the name or an alias of member "${owner}"`,
          ),
        );
      } else aliases.set(a, c.name);
    });
  });
}

function checkSources(m: Manifest, out: Finding[]): void {
  m.containers.forEach((c, i) => {
    if (c.image !== undefined && c.build !== undefined) {
      out.push(
        error(
          ['containers', i, 'image'],
          'image_and_build',
          `member "${c.name}" has both "image" and "build"; give exactly one`,
        ),
      );
    } else if (c.image === undefined && c.build === undefined) {
      out.push(
        error(
          ['containers', i],
          'image_missing',
          `member "${c.name}" needs exactly one of "image" or "build"`,
        ),
      );
    }
    if (c.image !== undefined) out.push(...checkImageRef(c.image, ['containers', i, 'image']));
  });
}

function checkPorts(m: Manifest, out: Finding[]): void {
  const hostPorts = new Map<string, string>();
  const names = new Map<string, string>();
  m.containers.forEach((c, ci) => {
    c.ports.forEach((p, pi) => {
      const at: PathSegment[] = ['containers', ci, 'ports', pi];
      const key = `${p.host}/${p.protocol}`;
      const owner = hostPorts.get(key);
      if (owner !== undefined) {
        out.push(
          error(
            [...at, 'host'],
            'duplicate_host_port',
            `host port ${p.host}/${p.protocol} is already published by ${owner}`,
          ),
        );
      } else hostPorts.set(key, `member "${c.name}"`);
      if (p.name !== undefined) {
        if (names.has(p.name))
          out.push(
            error(
              [...at, 'name'],
              'duplicate_port_name',
              `port name "${p.name}" is already used by ${names.get(p.name)}`,
            ),
          );
        else names.set(p.name, `member "${c.name}"`);
      }
      if (c.network_mode === 'none') {
        out.push(
          error(
            at,
            'ports_without_network',
            `member "${c.name}" has network_mode "none", so it cannot publish ports`,
          ),
        );
      } else if (c.network_mode === 'host' && p.host !== p.container) {
        out.push(
          error(
            [...at, 'host'],
            'host_network_port_mismatch',
            `with network_mode "host" the app listens on the host directly, so host (${p.host}) must equal container (${p.container})`,
          ),
        );
      }
    });
  });
}

function probePortKnown(c: Container, port: number): boolean {
  return c.network_mode === 'host' || c.ports.some((p) => p.container === port) || c.expose.includes(port);
}

function checkProbe(c: Container, probe: Probe, at: PathSegment[], out: Finding[]): void {
  if (probe.type === 'exec') return;
  if (!probePortKnown(c, probe.port)) {
    // A warning, not an error: a member's own port is reachable from inside its
    // network namespace even when undeclared; `expose` documents it.
    out.push(
      warning(
        [...at, 'port'],
        'probe_port_undeclared',
        `port ${probe.port} is neither published in member "${c.name}"'s ports nor listed in its expose; add it to expose`,
      ),
    );
  }
}

function checkProbesAndLaunch(m: Manifest, out: Finding[]): void {
  const byName = members(m);
  m.containers.forEach((c, i) => {
    if (c.health) checkProbe(c, c.health, ['containers', i, 'health'], out);
  });
  for (const section of ['ready', 'progress'] as const) {
    const p = m[section];
    if (!p) continue;
    if (!byName.has(p.container)) {
      out.push(
        error(
          [section, 'container'],
          'unknown_member',
          `"${p.container}" is not a member of this app (members: ${[...byName.keys()].join(', ')})`,
        ),
      );
    } else checkProbe(byName.get(p.container)!.c, p.probe, [section, 'probe'], out);
  }
  if (m.progress) {
    if (m.progress.probe.type === 'tcp') {
      out.push(
        error(
          ['progress', 'probe', 'type'],
          'progress_probe_tcp',
          'a progress probe must be "http" (with json_field) or "exec" (printing a number 0–100); a tcp probe cannot report a percentage',
        ),
      );
    } else if (m.progress.probe.type === 'http' && m.progress.json_field === undefined) {
      out.push(
        error(
          ['progress'],
          'progress_json_field',
          'an http progress probe needs "json_field" naming the number (0–100) in its JSON answer',
        ),
      );
    } else if (m.progress.probe.type === 'exec' && m.progress.json_field !== undefined) {
      out.push(
        error(
          ['progress', 'json_field'],
          'progress_json_field',
          'json_field only applies to http progress probes; an exec probe prints the number itself',
        ),
      );
    }
  }
  if (m.launch) {
    checkPublicPaths(m.launch.public_paths, out);
    const entry = byName.get(m.launch.container);
    if (!entry) {
      out.push(
        error(
          ['launch', 'container'],
          'unknown_member',
          `"${m.launch.container}" is not a member of this app (members: ${[...byName.keys()].join(', ')})`,
        ),
      );
    } else {
      const published = entry.c.ports.find((p) => p.container === m.launch!.port && p.protocol === 'tcp');
      if (!published) {
        out.push(
          error(
            ['launch', 'port'],
            'launch_port_unpublished',
            `port ${m.launch.port} is not published (tcp) in member "${m.launch.container}"'s ports, so the UI cannot be opened`,
          ),
        );
      } else if (published.bind === 'localhost') {
        out.push(
          warning(
            ['launch', 'port'],
            'launch_port_localhost',
            `port ${m.launch.port} is bound to localhost only, so the UI cannot be opened from the LAN`,
          ),
        );
      }
    }
  }
}

/**
 * Public paths skip the node's sign-in, so each must be narrow: not the whole address (`/`, `/*`), no
 * dot segments (a path the browser or the app resolves elsewhere), no path claimed twice or already
 * covered by another pattern of the same app (each app has its own origin, so two apps never share one).
 */
function checkPublicPaths(paths: readonly string[], out: Finding[]): void {
  const seen = new Map<string, number>();
  paths.forEach((path, i) => {
    const at: PathSegment[] = ['launch', 'public_paths', i];
    const segments = path.split('/').slice(1);
    if (path === '/' || path === '/*') {
      out.push(
        error(
          at,
          'public_path_everything',
          `"${path}" would make the whole app reachable without sign-in; name the paths that must be public (e.g. /webhook/*)`,
        ),
      );
      return;
    }
    // The pattern's syntax (schema) already rules out empty segments; dot segments pass it.
    if (segments.some((s) => s === '.' || s === '..')) {
      out.push(error(at, 'public_path_segments', `"${path}" has a "." or ".." segment`));
      return;
    }
    const first = seen.get(path);
    if (first !== undefined) {
      out.push(
        error(at, 'public_path_duplicate', `"${path}" is claimed twice (also launch.public_paths[${first}])`),
      );
      return;
    }
    seen.set(path, i);
  });
  for (const [path, i] of seen) {
    for (const [other, j] of seen) {
      if (i === j || !other.endsWith('/*')) continue;
      const prefix = other.slice(0, -1);
      if (path.startsWith(prefix) || path === prefix.slice(0, -1))
        out.push(
          error(
            ['launch', 'public_paths', i],
            'public_path_covered',
            `"${path}" is already covered by "${other}" (launch.public_paths[${j}])`,
          ),
        );
    }
  }
}

function checkDependsOn(m: Manifest, out: Finding[]): void {
  const byName = members(m);
  m.containers.forEach((c, ci) => {
    c.depends_on.forEach((d, di) => {
      const at: PathSegment[] = ['containers', ci, 'depends_on', di];
      if (d === c.name) out.push(error(at, 'depends_on_self', `member "${c.name}" cannot depend on itself`));
      else if (!byName.has(d))
        out.push(
          error(
            at,
            'unknown_member',
            `"${d}" is not a member of this app (members: ${[...byName.keys()].join(', ')})`,
          ),
        );
    });
  });
  // Report each cycle once, at the edge that closes it.
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (name: string, stack: string[]): void => {
    state.set(name, 'visiting');
    const entry = byName.get(name);
    entry?.c.depends_on.forEach((d, di) => {
      if (d === name || !byName.has(d)) return;
      if (state.get(d) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(d)), name, d];
        const key = [...new Set(cycle)].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          out.push(
            error(
              ['containers', entry.i, 'depends_on', di],
              'depends_on_cycle',
              `depends_on forms a cycle: ${cycle.join(' → ')}`,
            ),
          );
        }
      } else if (state.get(d) === undefined) visit(d, [...stack, name]);
    });
    state.set(name, 'done');
  };
  for (const c of m.containers) if (state.get(c.name) === undefined) visit(c.name, []);
}

function checkVolumes(m: Manifest, out: Finding[]): void {
  const used = new Set<string>();
  const declared = Object.keys(m.volumes);
  const unknown = (name: string, at: PathSegment[]) =>
    out.push(
      error(
        at,
        'unknown_volume',
        `volume "${name}" is not declared in the top-level volumes (declared: ${declared.join(', ') || 'none'})`,
      ),
    );
  m.containers.forEach((c, ci) => {
    const targets = new Map<string, number>();
    c.volumes.forEach((v, vi) => {
      const at: PathSegment[] = ['containers', ci, 'volumes', vi];
      const target = 'tmpfs' in v ? v.tmpfs : v.target;
      const prev = targets.get(target);
      if (prev !== undefined)
        out.push(error(at, 'duplicate_mount_target', `"${target}" is already mounted by volumes[${prev}]`));
      else targets.set(target, vi);
      if ('volume' in v) {
        used.add(v.volume);
        const decl = m.volumes[v.volume];
        if (!decl) unknown(v.volume, [...at, 'volume']);
        else if (decl.kind === 'named' && v.subpath !== undefined) {
          out.push(
            error(
              [...at, 'subpath'],
              'named_volume_subpath',
              `volume "${v.volume}" is a named volume; subpath works only with bind volumes (Podman 4 cannot mount a sub-directory of a named volume)`,
            ),
          );
        }
      } else if ('host_path' in v) {
        const why = refusedHostPath(v.host_path);
        if (why !== undefined) {
          out.push(
            error(
              [...at, 'host_path'],
              'refused_host_path',
              `"${v.host_path}" ${why}; mounting it is refused, whatever permissions are declared`,
            ),
          );
        }
      }
    });
  });
  const fileVolume = (name: string, at: PathSegment[]) => {
    used.add(name);
    if (!m.volumes[name]) unknown(name, at);
  };
  const fileTargets = new Map<string, string>();
  const fileTarget = (volume: string, path: string, at: PathSegment[]) => {
    const key = `${volume}/${path}`;
    const prev = fileTargets.get(key);
    if (prev !== undefined)
      out.push(
        error(at, 'duplicate_file', `file "${path}" in volume "${volume}" is already written by ${prev}`),
      );
    else fileTargets.set(key, at.join('.'));
  };
  m.files.forEach((f, i) => {
    fileVolume(f.volume, ['files', i, 'volume']);
    fileTarget(f.volume, f.path, ['files', i, 'path']);
  });
  m.hooks.post_install.forEach((step, i) => {
    if ('template' in step)
      fileVolume(step.template.volume, ['hooks', 'post_install', i, 'template', 'volume']);
    if ('copy_from_host' in step) {
      fileVolume(step.copy_from_host.volume, ['hooks', 'post_install', i, 'copy_from_host', 'volume']);
      if (!COPY_FROM_HOST_ALLOWLIST.has(step.copy_from_host.source)) {
        out.push(
          error(
            ['hooks', 'post_install', i, 'copy_from_host', 'source'],
            'copy_from_host_refused',
            `"${step.copy_from_host.source}" is not on the list of host files an app may copy (${[...COPY_FROM_HOST_ALLOWLIST].join(', ')})`,
          ),
        );
      }
    }
  });
  for (const name of declared) {
    if (!used.has(name))
      out.push(
        warning(
          ['volumes', name],
          'volume_unused',
          `volume "${name}" is declared but no member mounts it and no file is written to it`,
        ),
      );
  }
}

/** A subpath as a list of components: `a/./b/` → ['a', 'b']; the volume root is []. */
function subpathParts(subpath: string | undefined): string[] {
  if (subpath === undefined) return [];
  return posix
    .normalize(subpath)
    .split('/')
    .filter((s) => s !== '' && s !== '.');
}

/**
 * No member may mount a volume writable at an ancestor of a subpath some member
 * (itself included) mounts from it. The engine follows symlinks in a bind
 * source, so a container that can write `<volume>/a` could replace `a/b` with a
 * symlink to any host directory, and the member mounting subpath `a/b` would
 * get that directory when it next starts. The orchestrator also walks every
 * subpath before creating a member (runtime/subpaths.ts); with this rule no
 * container can race that walk.
 */
function checkSubpathAncestors(m: Manifest, out: Finding[]): void {
  interface Mount {
    member: string;
    at: PathSegment[];
    volume: string;
    parts: string[];
    writable: boolean;
    subpath: boolean;
  }
  const mounts: Mount[] = [];
  m.containers.forEach((c, ci) => {
    c.volumes.forEach((v, vi) => {
      if (!('volume' in v) || m.volumes[v.volume]?.kind !== 'bind') return;
      mounts.push({
        member: c.name,
        at: ['containers', ci, 'volumes', vi],
        volume: v.volume,
        parts: subpathParts(v.subpath),
        writable: !v.read_only,
        subpath: v.subpath !== undefined && subpathParts(v.subpath).length > 0,
      });
    });
  });
  for (const w of mounts) {
    if (!w.writable) continue;
    const below = mounts.find(
      (s) =>
        s.subpath &&
        s.volume === w.volume &&
        s.parts.length > w.parts.length &&
        w.parts.every((part, i) => s.parts[i] === part),
    );
    if (below === undefined) continue;
    const where = w.parts.length === 0 ? 'its root' : `subpath "${w.parts.join('/')}"`;
    out.push(
      error(
        [...w.at, w.parts.length === 0 ? 'volume' : 'subpath'],
        'subpath_parent_writable',
        `member "${w.member}" mounts volume "${w.volume}" (${where}) writable, above subpath "${below.parts.join('/')}" that member "${below.member}" mounts (${formatPath(below.at)}): a container that can write a subpath's parent could swap it for a symlink to a host directory; mount it read_only: true, or mount a sibling subpath`,
      ),
    );
  }
}

function checkHooks(m: Manifest, out: Finding[]): void {
  const byName = members(m);
  m.hooks.post_install.forEach((step, i) => {
    if ('exec' in step && !byName.has(step.exec.container)) {
      out.push(
        error(
          ['hooks', 'post_install', i, 'exec', 'container'],
          'unknown_member',
          `"${step.exec.container}" is not a member of this app (members: ${[...byName.keys()].join(', ')})`,
        ),
      );
    }
  });
}

function checkPermissions(m: Manifest, out: Finding[]): void {
  m.containers.forEach((c, ci) => {
    c.capabilities.forEach((cap, i) => {
      if (!LINUX_CAPABILITIES.has(cap)) {
        out.push(
          error(
            ['containers', ci, 'capabilities', i],
            'unknown_capability',
            `"${cap}" is not a Linux capability (write it without the CAP_ prefix, e.g. NET_BIND_SERVICE)`,
          ),
        );
      }
    });
  });
  for (const use of permissionUses(m)) {
    // A refused path is reported as refused; asking for a permission would suggest it could be granted.
    if (use.kind === 'host_path' && use.path !== undefined && refusedHostPath(use.path) !== undefined)
      continue;
    const grant = grantFor(m, use);
    const key = permissionKey(use);
    if (!grant) {
      const what =
        use.kind === 'privileged_ports'
          ? `port ${use.at.length > 0 ? portAt(m, use.at) : ''} is below 1024 and needs`
          : use.kind === 'host_network'
            ? 'network_mode "host" needs'
            : use.kind === 'capability'
              ? `capability ${use.name} needs`
              : use.kind === 'device'
                ? `device ${use.path} needs`
                : `host path ${use.path} needs`;
      out.push(error(use.at, 'permission_missing', `${what} the permission "${key}"`));
    } else if (grant.kind === 'host_path' && use.writable && grant.read_only) {
      out.push(
        error(
          use.at,
          'permission_read_only',
          `host path ${use.path} is mounted writable but the permission "${permissionKey(grant)}" is read-only`,
        ),
      );
    }
  }
  m.permissions.forEach((p, i) => {
    if (p.kind !== 'host_path') return;
    const why = refusedHostPath(p.path);
    if (why !== undefined) {
      out.push(
        error(['permissions', i, 'path'], 'refused_host_path', `"${p.path}" ${why}; it cannot be granted`),
      );
    }
  });
}

function portAt(m: Manifest, at: PathSegment[]): string {
  const c = m.containers[at[1] as number];
  const p = c?.ports[at[3] as number];
  return p ? String(p.host) : '';
}

function checkSecrets(m: Manifest, out: Finding[]): void {
  const names = new Map<string, number>();
  m.secrets.forEach((s, i) => {
    if (names.has(s.name))
      out.push(
        error(
          ['secrets', i, 'name'],
          'duplicate_secret',
          `secret "${s.name}" is already declared by secrets[${names.get(s.name)}]`,
        ),
      );
    else names.set(s.name, i);
  });
  m.secrets.forEach((s, i) => {
    const at: PathSegment[] = ['secrets', i];
    if (s.kind === 'rpcauth') {
      if (s.user === undefined || !/^[A-Za-z0-9_.-]+$/.test(s.user)) {
        out.push(
          error(
            [...at, ...(s.user === undefined ? [] : ['user'])],
            'rpcauth_user',
            `rpcauth secret "${s.name}" needs "user": an RPC user name (letters, digits, "_", ".", "-")`,
          ),
        );
      }
      if (s.password_secret === undefined) {
        out.push(
          error(
            at,
            'rpcauth_password',
            `rpcauth secret "${s.name}" needs "password_secret": the secret holding the RPC password`,
          ),
        );
      } else {
        const target = m.secrets.find((x) => x.name === s.password_secret);
        if (!target) {
          out.push(
            error(
              [...at, 'password_secret'],
              'unknown_secret',
              `secret "${s.password_secret}" is not declared in secrets`,
            ),
          );
        } else if (target.kind === 'rpcauth') {
          out.push(
            error(
              [...at, 'password_secret'],
              'rpcauth_password',
              `"${s.password_secret}" is itself an rpcauth line; password_secret must name a password secret`,
            ),
          );
        }
      }
      if (s.length !== undefined)
        out.push(
          error(
            [...at, 'length'],
            'secret_length',
            'length does not apply to an rpcauth secret (it is derived from its password)',
          ),
        );
    } else {
      if (s.user !== undefined)
        out.push(
          error([...at, 'user'], 'secret_field', `"user" only applies to rpcauth secrets, not ${s.kind}`),
        );
      if (s.password_secret !== undefined)
        out.push(
          error(
            [...at, 'password_secret'],
            'secret_field',
            `"password_secret" only applies to rpcauth secrets, not ${s.kind}`,
          ),
        );
      if (s.kind === 'uuid' && s.length !== undefined)
        out.push(error([...at, 'length'], 'secret_length', 'length does not apply to a uuid secret'));
    }
  });
}

function checkDependencies(m: Manifest, out: Finding[]): void {
  const aliases = new Map<string, number>();
  m.dependencies.forEach((d, i) => {
    const alias = dependencyAlias(d);
    if (d.app === m.id || d.alternatives.includes(m.id))
      out.push(
        error(['dependencies', i, 'app'], 'depends_on_itself', `app "${m.id}" cannot depend on itself`),
      );
    if (aliases.has(alias))
      out.push(
        error(
          ['dependencies', i, d.as === undefined ? 'app' : 'as'],
          'duplicate_dependency',
          `dependency name "${alias}" is already used by dependencies[${aliases.get(alias)}]`,
        ),
      );
    else aliases.set(alias, i);
  });
}

function checkTemplates(m: Manifest, out: Finding[]): void {
  const secrets = new Set(m.secrets.map((s) => s.name));
  const aliases = new Set(m.dependencies.map(dependencyAlias));
  const memberNames = new Set(m.containers.map((c) => c.name));
  const portNames = new Set(
    m.containers.flatMap((c) => c.ports.flatMap((p) => (p.name === undefined ? [] : [p.name]))),
  );
  for (const { at, text } of templatedStrings(m)) {
    for (const ref of templateRefs(text)) {
      switch (ref.kind) {
        case 'secret':
          if (!secrets.has(ref.name))
            out.push(
              error(
                at,
                'unknown_secret',
                `${ref.raw} refers to secret "${ref.name}", which is not declared in secrets`,
              ),
            );
          break;
        case 'dep':
          if (!aliases.has(ref.alias))
            out.push(
              error(
                at,
                'unknown_dependency',
                `${ref.raw} refers to dependency "${ref.alias}", which is not declared in dependencies`,
              ),
            );
          break;
        case 'container':
          if (!memberNames.has(ref.member))
            out.push(
              error(
                at,
                'unknown_member',
                `${ref.raw} refers to member "${ref.member}", which is not a member of this app`,
              ),
            );
          break;
        case 'port':
          if (!portNames.has(ref.name))
            out.push(
              error(
                at,
                'unknown_port',
                `${ref.raw} refers to port "${ref.name}", but no port mapping has that name`,
              ),
            );
          break;
        case 'unknown':
          out.push(
            error(
              at,
              'unknown_template',
              `${ref.raw} is not a known template (known: ${TEMPLATE_FORMS.join(', ')})`,
            ),
          );
          break;
        default:
          break;
      }
    }
  }
  for (const [k, v] of Object.entries(m.exports)) {
    if (templateRefs(v).some((r) => r.kind === 'dep')) {
      out.push(
        error(
          ['exports', k],
          'export_uses_dep',
          'an export cannot pass on a dependency’s value ({{dep:…}}); dependents declare that dependency themselves',
        ),
      );
    }
  }
}

function checkGrace(m: Manifest, out: Finding[]): void {
  m.containers.forEach((c, i) => {
    const hc = c.health;
    if (hc && hc.timeout_secs > hc.interval_secs) {
      out.push(
        warning(
          ['containers', i, 'health', 'timeout_secs'],
          'health_timeout',
          `health timeout (${hc.timeout_secs}s) is longer than its interval (${hc.interval_secs}s)`,
        ),
      );
    }
  });
}

/**
 * Probes run as written, outside any template rendering: a template there
 * would reach the container literally. Say so instead of failing at runtime.
 */
function checkProbeTemplates(m: Manifest, out: Finding[]): void {
  const probes: Array<{ probe: Probe; at: PathSegment[] }> = [];
  m.containers.forEach((c, i) => {
    if (c.health) probes.push({ probe: c.health, at: ['containers', i, 'health'] });
  });
  if (m.ready) probes.push({ probe: m.ready.probe, at: ['ready', 'probe'] });
  if (m.progress) probes.push({ probe: m.progress.probe, at: ['progress', 'probe'] });
  for (const { probe, at } of probes) {
    const texts: Array<{ text: string; at: PathSegment[] }> =
      probe.type === 'exec'
        ? probe.command.map((text, i) => ({ text, at: [...at, 'command', i] }))
        : probe.type === 'http'
          ? [{ text: probe.path, at: [...at, 'path'] }]
          : [];
    for (const t of texts) {
      const ref = templateRefs(t.text)[0];
      if (ref) {
        out.push(
          error(
            t.at,
            'template_in_probe',
            `${ref.raw}: probes run as written, without templates; read the value from the member's env instead (e.g. sh -c '… "$VAR"')`,
          ),
        );
      }
    }
  }
}

/** Every semantic finding of a shape-valid manifest. */
export function checkSemantics(m: Manifest): Finding[] {
  const out: Finding[] = [];
  checkIdentity(m, out);
  checkSources(m, out);
  checkPorts(m, out);
  checkProbesAndLaunch(m, out);
  checkDependsOn(m, out);
  checkVolumes(m, out);
  checkSubpathAncestors(m, out);
  checkHooks(m, out);
  checkPermissions(m, out);
  checkSecrets(m, out);
  checkDependencies(m, out);
  checkTemplates(m, out);
  checkProbeTemplates(m, out);
  checkGrace(m, out);
  checkLinks(m, out);
  checkBackupPolicy(m, out); // backups (issue 18)
  return out;
}
