// archy catalog sign <catalog.json|root.json> --key key.json [--root root.json …] [--json]
// Adds the key's Ed25519 signature to a catalog or a root, in place. Several
// key holders sign the same file one after another until the threshold is met.
import {
  addSignature,
  CatalogEnvelope,
  checkThreshold,
  parseDocument,
  RootEnvelope,
  readJsonFile,
  shortDid,
  writeFileAtomic,
} from '@archipelago/registry';
import { CliError } from '../errors.ts';
import { guarded, parse, print, readPublisherKey, usageError } from './catalog-common.ts';

const USAGE = `usage: archy catalog sign <catalog.json|root.json> --key FILE [--root FILE]... [--json]
  --key FILE    the publisher key file that signs
  --root FILE   catalogs only: the publisher's roots to embed, oldest first (replaces the embedded chain)`;

/** `signed._type` of an untrusted JSON value, read by narrowing, never by a cast. */
function documentType(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('signed' in value)) return undefined;
  const signed = value.signed;
  if (typeof signed !== 'object' || signed === null || !('_type' in signed)) return undefined;
  return typeof signed._type === 'string' ? signed._type : undefined;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { key: { type: 'string' }, root: { type: 'string', multiple: true } },
    USAGE,
  );
  if (values.help) {
    print(false, null, USAGE);
    return 0;
  }
  const json = values.json === true;
  if (positionals.length !== 1) throw usageError('give exactly one file to sign', USAGE);
  if (!values.key) throw usageError('--key is required', USAGE);
  const file = positionals[0]!;
  const keyFile = values.key;

  return guarded(json, async () => {
    const key = await readPublisherKey(keyFile);
    const value = await readJsonFile(file, 'document');
    const type = documentType(value);

    if (type === 'archipelago-root') {
      if (values.root) throw usageError('--root applies to catalogs only', USAGE);
      const root = parseDocument(RootEnvelope, value, `root ${file}`);
      const signatures = addSignature(root.signed, root.signatures, key);
      await writeFileAtomic(file, `${JSON.stringify({ ...root, signatures }, null, 2)}\n`);
      const own = status(root.signed, signatures, root.signed.keys, root.signed.threshold);
      const listed = root.signed.keys.includes(key.did);
      print(
        json,
        {
          file,
          kind: 'root',
          version: root.signed.version,
          signer: key.did,
          signatures: signatures.length,
          ownThreshold: own,
        },
        `signed root v${root.signed.version} in ${file} with ${shortDid(key.did)}${listed ? '' : ' (a key of the previous root)'}\n` +
          `its own keys: ${own.valid} of ${own.threshold} required signature(s)` +
          (root.signed.version > 1
            ? '\nA rotation also needs a threshold of the previous root’s keys; archy catalog verify checks both.'
            : ''),
      );
      return 0;
    }
    if (type !== 'archipelago-catalog') {
      throw new CliError(
        'not_signable',
        `${file} is neither a catalog nor a root (signed._type is ${JSON.stringify(type)})`,
        1,
      );
    }

    const catalog = parseDocument(CatalogEnvelope, value, `catalog ${file}`);
    const roots = [];
    if (values.root) {
      for (const r of values.root)
        roots.push(parseDocument(RootEnvelope, await readJsonFile(r, 'root'), `root ${r}`));
    } else {
      roots.push(...catalog.roots);
    }
    const newest = roots.at(-1);
    const keys = newest ? newest.signed.keys : [catalog.signed.publisher];
    const threshold = newest ? newest.signed.threshold : 1;
    if (!keys.includes(key.did)) {
      throw new CliError(
        'key_not_in_root',
        `${shortDid(key.did)} cannot sign this catalog: ${newest ? `root v${newest.signed.version} lists only ${keys.map(shortDid).join(', ')}` : `without a root only the publisher ${shortDid(catalog.signed.publisher)} signs`}`,
        1,
      );
    }
    const signatures = addSignature(catalog.signed, catalog.signatures, key);
    await writeFileAtomic(
      file,
      `${JSON.stringify({ signed: catalog.signed, signatures, roots }, null, 2)}\n`,
    );
    const st = status(catalog.signed, signatures, keys, threshold);
    print(
      json,
      {
        file,
        kind: 'catalog',
        version: catalog.signed.version,
        signer: key.did,
        signatures: signatures.length,
        threshold: st,
      },
      `signed catalog v${catalog.signed.version} in ${file} with ${shortDid(key.did)}\n` +
        `${st.valid} of ${st.threshold} required signature(s)${st.valid >= st.threshold ? ' — ready to publish (archy catalog serve, or any static web server)' : ''}`,
    );
    return 0;
  });
}

/** Valid signatures by distinct listed keys (threshold 0: count, never refuse). */
function status(
  signed: unknown,
  signatures: Parameters<typeof checkThreshold>[1],
  keys: string[],
  threshold: number,
) {
  return { valid: checkThreshold(signed, signatures, keys, 0, 'document').valid.length, threshold };
}
