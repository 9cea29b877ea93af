// archy catalog verify <url|file> [--key did:key:… | --root root.json] [--json]
// Verifies a catalog exactly as a node does (signatures against the trusted
// key or root, root rotations, expiry, manifest hashes, embedded manifests)
// and prints what an operator would see: publisher, version, apps, permissions.
import {
  catalogUrl,
  fetchCatalog,
  isEd25519DidKey,
  parseDocument,
  RootEnvelope,
  readJsonFile,
  shortDid,
  type TrustAnchor,
  verifyCatalog,
} from '@archipelago/registry';
import { guarded, parse, print, publisherOf, usageError } from './catalog-common.ts';

const USAGE = `usage: archy catalog verify <url|file> [--key DID | --root FILE] [--json]
  --key DID    the publisher did:key you trust (what an operator adds the source with)
  --root FILE  a root you trust instead (rotations after it must be signed by its keys)
  Without either, the catalog is checked against its own publisher field: consistency only, not trust.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { key: { type: 'string' }, root: { type: 'string' } }, USAGE);
  if (values.help) {
    print(false, null, USAGE);
    return 0;
  }
  const json = values.json === true;
  if (positionals.length !== 1) throw usageError('give exactly one catalog URL or file', USAGE);
  if (values.key && values.root) throw usageError('give --key or --root, not both', USAGE);
  if (values.key && !isEd25519DidKey(values.key))
    throw usageError(`--key: "${values.key}" is not an Ed25519 did:key`, USAGE);
  const target = positionals[0]!;

  return guarded(json, async () => {
    let document: unknown;
    if (/^https?:\/\//.test(target)) {
      const fetched = await fetchCatalog(catalogUrl(target));
      document = fetched.status === 'fresh' ? fetched.document : null;
    } else {
      document = await readJsonFile(target, 'catalog');
    }
    let anchor: TrustAnchor;
    let selfOnly = false;
    if (values.key) anchor = { kind: 'key', did: values.key };
    else if (values.root)
      anchor = {
        kind: 'root',
        root: parseDocument(RootEnvelope, await readJsonFile(values.root, 'root'), `root ${values.root}`),
      };
    else {
      const publisher = publisherOf(document);
      if (!publisher) throw usageError('the document names no publisher; pass --key', USAGE);
      anchor = { kind: 'key', did: publisher };
      selfOnly = true;
    }
    const v = verifyCatalog(document, { anchor, now: new Date() });
    const data = {
      ok: true,
      trustedBy: selfOnly
        ? 'its own publisher field (consistency only)'
        : values.key
          ? 'the given key'
          : 'the given root',
      publisher: v.publisher,
      name: v.name,
      version: v.version,
      issued: v.issued,
      expires: v.expires,
      hash: v.hash,
      root: {
        version: v.root.version,
        keys: v.root.keys,
        threshold: v.root.threshold,
        rotated: v.root.rotated.map((r) => r.version),
      },
      signers: v.signers,
      apps: v.apps.map((a) => ({
        id: a.id,
        name: a.manifest.name,
        version: a.manifest.version,
        hash: a.hash,
        permissions: a.permissions,
      })),
    };
    const lines = [
      `OK: catalog "${v.name}" v${v.version} by ${v.publisher}`,
      `  hash     ${v.hash}`,
      `  expires  ${v.expires}`,
      `  root     ${v.root.version === 0 ? 'the publisher key alone' : `v${v.root.version}`}: ${v.root.threshold} of ${v.root.keys.length} key(s); signed by ${v.signers.map(shortDid).join(', ')}`,
      ...v.apps.map(
        (a) =>
          `  app ${a.id} ${a.manifest.version}  permissions: ${a.permissions.length === 0 ? 'none' : a.permissions.join(', ')}`,
      ),
    ];
    if (selfOnly)
      lines.push(
        'Note: checked against its own publisher field; pass --key with the did:key you trust to check trust.',
      );
    print(json, data, lines.join('\n'));
    return 0;
  });
}
