// archy catalog build <apps-dir> (--key key.json | --publisher did:key:…) [--version N] [--expires 30d]
//                     [--name NAME] [--root root.json …] [--out catalog.json] [--json]
// archy catalog build --new-root --keys did:key:…,did:key:… --threshold N [--version N] [--expires 365d] --out root.json
// Builds an UNSIGNED catalog (every manifest validated, embedded and hashed,
// icons copied next to it by hash) or an unsigned root; `archy catalog sign` signs it.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  buildCatalogSigned,
  buildRootSigned,
  CatalogEnvelope,
  isEd25519DidKey,
  loadAppsDir,
  packContext,
  parseDocument,
  parseDuration,
  RootEnvelope,
  readJsonFile,
  writeFileAtomic,
} from '@archipelago/registry';
import { CliError } from '../errors.ts';
import { guarded, parse, print, readPublisherKey, usageError } from './catalog-common.ts';

const USAGE = `usage: archy catalog build <apps-dir> (--key FILE | --publisher DID) [--version N] [--expires 30d] [--name NAME] [--root FILE]... [--out catalog.json] [--json]
       archy catalog build --new-root --keys DID,DID,... --threshold N [--version N] [--expires 365d] --out root.json [--json]
  --key FILE        the publisher key file (only its did:key is read)
  --publisher DID   the publisher's did:key, instead of --key
  --version N       catalog version (default: one more than the catalog already at --out, else 1)
  --expires D       how long the catalog is valid: 30d, 12h, 2w (default 30d; 365d for a root)
  --root FILE       a root to embed (repeat for the chain, oldest first)
  --new-root        build a root instead: --keys lists its did:keys, --threshold how many must sign`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      key: { type: 'string' },
      publisher: { type: 'string' },
      version: { type: 'string' },
      expires: { type: 'string' },
      name: { type: 'string' },
      root: { type: 'string', multiple: true },
      out: { type: 'string' },
      'new-root': { type: 'boolean' },
      keys: { type: 'string' },
      threshold: { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    print(false, null, USAGE);
    return 0;
  }
  const json = values.json === true;
  const version = values.version === undefined ? undefined : Number(values.version);
  if (version !== undefined && !(Number.isSafeInteger(version) && version >= 1)) {
    throw usageError(`--version must be a whole number ≥ 1, got "${values.version}"`, USAGE);
  }

  return guarded(json, async () => {
    const now = new Date();
    if (values['new-root']) {
      if (!values.out) throw usageError('--new-root needs --out root.json', USAGE);
      const keys = (values.keys ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== '');
      if (keys.length === 0) throw usageError('--new-root needs --keys did:key:…[,did:key:…]', USAGE);
      const bad = keys.find((k) => !isEd25519DidKey(k));
      if (bad) throw usageError(`--keys: "${bad}" is not an Ed25519 did:key`, USAGE);
      const threshold = Number(values.threshold ?? '1');
      if (!Number.isInteger(threshold) || threshold < 1 || threshold > keys.length) {
        throw usageError(`--threshold must be between 1 and the number of keys (${keys.length})`, USAGE);
      }
      const signed = buildRootSigned({
        version: version ?? 1,
        keys,
        threshold,
        issued: now,
        expires: new Date(now.getTime() + parseDuration(values.expires ?? '365d', '--expires')),
      });
      // Validate what we built the same way a node will.
      const root = parseDocument(RootEnvelope, { signed, signatures: [] }, 'root');
      await writeFileAtomic(values.out, `${JSON.stringify(root, null, 2)}\n`);
      print(
        json,
        { file: values.out, version: signed.version, keys, threshold },
        `wrote unsigned root v${signed.version} to ${values.out}: ${threshold} of ${keys.length} key(s) must sign.\n` +
          `Sign it with "archy catalog sign ${values.out} --key KEY" by ${signed.version > 1 ? 'a threshold of the previous root’s keys AND ' : ''}${threshold} of its own keys.`,
      );
      return 0;
    }

    if (positionals.length !== 1) throw usageError('give exactly one apps directory', USAGE);
    const appsDir = positionals[0]!;
    let publisher = values.publisher;
    if (values.key) publisher = (await readPublisherKey(values.key)).did;
    if (!publisher)
      throw usageError('say who publishes the catalog: --key key.json or --publisher did:key:…', USAGE);
    if (!isEd25519DidKey(publisher))
      throw usageError(`--publisher: "${publisher}" is not an Ed25519 did:key`, USAGE);
    const out = values.out ?? 'catalog.json';

    const loaded = await loadAppsDir(appsDir);
    if (loaded.problems.length > 0) {
      throw new CliError(
        'invalid_manifest',
        `${appsDir} has invalid manifests; fix them first (archy app validate):\n  ${loaded.problems.join('\n  ')}`,
        1,
      );
    }
    if (loaded.apps.length === 0) throw new CliError('no_apps', `${appsDir} has no <app>/manifest.yml`, 1);

    const roots = [];
    for (const file of values.root ?? [])
      roots.push(parseDocument(RootEnvelope, await readJsonFile(file, 'root'), `root ${file}`));

    const prior = await previousCatalog(out);
    const previous = prior?.version ?? null;
    const catalogVersion = version ?? (previous === null ? 1 : previous + 1);
    if (previous !== null && catalogVersion <= previous) {
      throw new CliError(
        'version_not_increased',
        `${out} already holds version ${previous}; nodes refuse a catalog whose version does not increase (use --version ${previous + 1} or more)`,
        1,
      );
    }
    // Apps built locally travel with their build context: nodes reach no container registry.
    const contexts = new Map<
      string,
      { ref: { hash: string; path: string; size: number }; bytes: Uint8Array }
    >();
    for (const app of loaded.apps) {
      if (!app.manifest.containers.some((c) => c.build)) continue;
      const packed = await packContext(app.dir);
      contexts.set(app.manifest.id, {
        ref: { hash: packed.hash, path: `contexts/${packed.hex}.json`, size: packed.bytes.length },
        bytes: packed.bytes,
      });
    }
    const signed = buildCatalogSigned({
      publisher,
      name: values.name ?? prior?.name ?? 'Catalog',
      version: catalogVersion,
      issued: now,
      expires: new Date(now.getTime() + parseDuration(values.expires ?? '30d', '--expires')),
      apps: loaded.apps.map((a) => {
        const context = contexts.get(a.manifest.id)?.ref;
        return {
          manifest: a.manifest,
          ...(a.icon ? { icon: a.icon.ref } : {}),
          ...(context ? { context } : {}),
        };
      }),
    });
    const envelope = parseDocument(CatalogEnvelope, { signed, signatures: [], roots }, 'catalog');
    await mkdir(dirname(out) || '.', { recursive: true });
    for (const app of loaded.apps) {
      if (!app.icon) continue;
      await mkdir(join(dirname(out), 'icons'), { recursive: true });
      await writeFile(join(dirname(out), app.icon.ref.path), app.icon.bytes);
    }
    for (const { ref, bytes } of contexts.values()) {
      await mkdir(join(dirname(out), 'contexts'), { recursive: true });
      await writeFile(join(dirname(out), ref.path), bytes);
    }
    await writeFileAtomic(out, `${JSON.stringify(envelope, null, 2)}\n`);
    const apps = signed.apps.map((a) => ({
      id: a.id,
      hash: a.manifest_hash,
      icon: a.icon?.path ?? null,
      context: a.context?.path ?? null,
    }));
    print(
      json,
      {
        file: out,
        publisher,
        version: catalogVersion,
        expires: signed.expires,
        apps,
        roots: roots.map((r) => r.signed.version),
      },
      `wrote unsigned catalog v${catalogVersion} (${apps.length} app(s), expires ${signed.expires}) to ${out}\n` +
        apps.map((a) => `  ${a.id}  ${a.hash}`).join('\n') +
        `\nNext: archy catalog sign ${out} --key KEY`,
    );
    return 0;
  });
}

/** The catalog already at `--out`, if any: its version must grow, its name carries over. */
async function previousCatalog(file: string): Promise<{ version: number; name: string } | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const value: unknown = JSON.parse(text);
    const parsed = CatalogEnvelope.safeParse(value);
    return parsed.success ? { version: parsed.data.signed.version, name: parsed.data.signed.name } : null;
  } catch {
    return null;
  }
}
