// archy catalog keygen [--out key.json] [--force] [--nostr] [--json]
// Makes a publisher key (Ed25519, did:key) — or with --nostr a Nostr key for
// `archy catalog announce` — in a file only its owner can read (0600).
import { open } from 'node:fs/promises';
import { generateNostrKey, generatePublisherKey, publisherKeyToJson } from '@archipelago/registry';
import { CliError } from '../errors.ts';
import { guarded, parse, print } from './catalog-common.ts';

const USAGE = `usage: archy catalog keygen [--out FILE] [--force] [--nostr] [--json]
  --out FILE   where to write the key (default: publisher-key.json, or nostr-key.txt with --nostr); mode 0600
  --force      overwrite an existing file
  --nostr      make a Nostr key (nsec) for "archy catalog announce" instead of a publisher key`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { out: { type: 'string' }, force: { type: 'boolean' }, nostr: { type: 'boolean' } },
    USAGE,
  );
  if (values.help) {
    print(false, null, USAGE);
    return 0;
  }
  if (positionals.length > 0)
    throw new CliError('usage', `unexpected argument "${positionals[0]}"\n${USAGE}`, 2);
  const json = values.json === true;
  return guarded(json, async () => {
    const out = values.out ?? (values.nostr ? 'nostr-key.txt' : 'publisher-key.json');
    if (values.nostr) {
      const key = generateNostrKey();
      await writeSecret(out, `${key.nsec}\n`, values.force === true);
      const npub = key.npub;
      print(
        json,
        { file: out, pubkey: key.pubkey, npub },
        `wrote a Nostr key to ${out} (mode 0600)\nnpub: ${npub}`,
      );
      return 0;
    }
    const key = generatePublisherKey();
    await writeSecret(out, publisherKeyToJson(key, new Date()), values.force === true);
    print(
      json,
      { file: out, did: key.did },
      `wrote a publisher key to ${out} (mode 0600; keep it secret, keep a backup)\n${key.did}\nOperators add your catalog with this did:key.`,
    );
    return 0;
  });
}

async function writeSecret(file: string, text: string, force: boolean): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(file, force ? 'w' : 'wx', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new CliError(
        'exists',
        `${file} already exists; pass --force to overwrite it (the old key is lost)`,
        1,
      );
    throw new CliError('write_failed', `cannot write ${file}: ${code ?? String(err)}`, 1);
  }
  try {
    await fh.chmod(0o600);
    await fh.writeFile(text, 'utf8');
  } finally {
    await fh.close();
  }
}
