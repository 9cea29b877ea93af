// Where the node's keys live: `<data root>/identity/keys.json`, in a 0700
// folder, the file 0600, replaced atomically (a crash leaves the old file or
// the new one, never half of each). The file is opened without following a
// symlink, so nothing planted in its place is read as or written through.
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { IdentityError } from './errors.ts';
import type { NodeKeys } from './keys.ts';
import type { RotationStatement } from './rotation.ts';

const Hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 32 bytes of hex');

const StoredKeys = z.strictObject({ ed25519: Hex32, nostr: Hex32, createdAt: z.string() });

const Revoked = z.strictObject({
  did: z.string(),
  npub: z.string(),
  createdAt: z.string(),
  revokedAt: z.string(),
  reason: z.string(),
  statement: z.custom<RotationStatement>((v) => typeof v === 'object' && v !== null),
});
export type RevokedIdentity = z.infer<typeof Revoked>;

const KeyFile = z.strictObject({
  version: z.literal(1),
  current: StoredKeys,
  revoked: z.array(Revoked),
});

export interface KeyState {
  current: NodeKeys;
  revoked: RevokedIdentity[];
}

export const identityDir = (dataRoot: string) => join(dataRoot, 'identity');
const keyFile = (dataRoot: string) => join(identityDir(dataRoot), 'keys.json');

export function readKeyState(dataRoot: string): KeyState | null {
  const file = keyFile(dataRoot);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new IdentityError(
      'identity.key_file',
      code === 'ELOOP'
        ? `${file} is a symbolic link; the node's keys are never read through one`
        : `cannot read ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  let text: string;
  try {
    if (!fstatSync(fd).isFile())
      throw new IdentityError('identity.key_file', `${file} is not a regular file`);
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  let parsed: z.infer<typeof KeyFile>;
  try {
    parsed = KeyFile.parse(JSON.parse(text));
  } catch (error) {
    throw new IdentityError(
      'identity.key_file',
      `${file} is damaged (${error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (error as Error).message}); restore it from a backup`,
      { cause: error },
    );
  }
  return {
    current: {
      ed25519: hexToBytes(parsed.current.ed25519),
      nostr: hexToBytes(parsed.current.nostr),
      createdAt: parsed.current.createdAt,
    },
    revoked: parsed.revoked,
  };
}

export function writeKeyState(dataRoot: string, state: KeyState): void {
  const dir = identityDir(dataRoot);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const body: z.infer<typeof KeyFile> = {
    version: 1,
    current: {
      ed25519: bytesToHex(state.current.ed25519),
      nostr: bytesToHex(state.current.nostr),
      createdAt: state.current.createdAt,
    },
    revoked: state.revoked,
  };
  const tmp = join(dir, `.keys.json.${process.pid}.tmp`);
  rmSync(tmp, { force: true });
  // wx: never write through a file (or link) someone left at the temporary name.
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, keyFile(dataRoot));
}
