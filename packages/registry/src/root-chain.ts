// Which root (keys + threshold) a catalog must satisfy, following TUF's root
// rotation rule: root N+1 is accepted only when signed by a threshold of root
// N's keys AND a threshold of its own keys, versions increase by exactly one,
// and only the newest root's expiry matters (intermediate ones may have expired).
import { shortDid } from './did-key.ts';
import {
  ExpiredError,
  MalformedDocumentError,
  RegistryError,
  RollbackError,
  RootRotationError,
  UnknownKeyError,
} from './errors.ts';
import type { RootEnvelope } from './format.ts';
import { checkThreshold, documentHash } from './signatures.ts';

/** What the verifier starts from. */
export type TrustAnchor =
  /** First contact: the did:key the operator was given. Without roots, it alone signs (threshold 1). */
  | { kind: 'key'; did: string }
  /** A root this node accepted before (or a root file the developer trusts), and the publisher it belongs to. */
  | { kind: 'root'; root: RootEnvelope; publisher?: string };

export type ResolvedRoot = {
  /** 0 for the implicit single-key root of a catalog without roots. */
  version: number;
  keys: string[];
  threshold: number;
  expires?: string;
  /** The newest accepted root document (absent for the implicit root). */
  envelope?: RootEnvelope;
  /** Roots newly accepted by this resolution (rotations), oldest first. */
  rotated: { version: number; issued: string }[];
};

function fromEnvelope(root: RootEnvelope, rotated: ResolvedRoot['rotated']): ResolvedRoot {
  const { version, keys, threshold, expires } = root.signed;
  return { version, keys, threshold, expires, envelope: root, rotated };
}

function selfSigned(root: RootEnvelope, what: string): void {
  try {
    checkThreshold(root.signed, root.signatures, root.signed.keys, root.signed.threshold, what);
  } catch (err) {
    if (err instanceof RegistryError) {
      throw new RootRotationError(
        `${what} is refused: it must be signed by ${root.signed.threshold} of its own keys: ${err.message}`,
      );
    }
    throw err;
  }
}

export function resolveRoot(chain: readonly RootEnvelope[], anchor: TrustAnchor, now: Date): ResolvedRoot {
  chain.forEach((root, i) => {
    const expected = chain[0]!.signed.version + i;
    if (root.signed.version !== expected) {
      throw new MalformedDocumentError(
        `roots[${i}].signed.version`,
        `catalog is malformed: roots[${i}].signed.version is ${root.signed.version}, expected ${expected} (roots must be listed oldest first, each version one more than the last)`,
      );
    }
  });

  let current: RootEnvelope | undefined;
  let next = 0;
  if (anchor.kind === 'key') {
    if (chain.length === 0) {
      return { version: 0, keys: [anchor.did], threshold: 1, rotated: [] };
    }
    const start = chain.findIndex((r) => r.signed.keys.includes(anchor.did));
    if (start < 0) {
      throw new UnknownKeyError(
        `none of the catalog's roots (v${chain[0]!.signed.version}–v${chain.at(-1)!.signed.version}) lists the key you trust, ${shortDid(anchor.did)}`,
      );
    }
    current = chain[start]!;
    const what = `root v${current.signed.version}`;
    try {
      checkThreshold(
        current.signed,
        current.signatures,
        [anchor.did],
        1,
        `${what} (the first root that lists your key)`,
      );
    } catch (err) {
      if (err instanceof RegistryError)
        throw new RootRotationError(
          `${what} is refused: your key ${shortDid(anchor.did)} must sign it: ${err.message}`,
        );
      throw err;
    }
    selfSigned(current, what);
    next = start + 1;
  } else {
    current = anchor.root;
    selfSigned(current, `the trusted root v${current.signed.version}`);
    const trustedVersion = current.signed.version;
    const newest = chain.at(-1);
    if (newest && newest.signed.version < trustedVersion) {
      throw new RollbackError(
        `the catalog carries roots up to v${newest.signed.version}, but this node already trusts root v${trustedVersion} of this publisher (rollback refused)`,
      );
    }
    const same = chain.find((r) => r.signed.version === trustedVersion);
    if (same && documentHash(same.signed) !== documentHash(current.signed)) {
      throw new RootRotationError(
        `the catalog's root v${trustedVersion} differs from the root v${trustedVersion} this node trusts (a forked root is refused)`,
      );
    }
    next = chain.findIndex((r) => r.signed.version === trustedVersion + 1);
    if (next < 0) next = chain.length;
  }

  const rotated: ResolvedRoot['rotated'] = [];
  for (let i = next; i < chain.length; i++) {
    const candidate = chain[i]!;
    const old = current.signed;
    const what = `root v${candidate.signed.version}`;
    try {
      checkThreshold(
        candidate.signed,
        candidate.signatures,
        old.keys,
        old.threshold,
        `${what} (rotation from v${old.version})`,
      );
    } catch (err) {
      if (err instanceof RegistryError) {
        throw new RootRotationError(
          `${what} is refused: a new root must be signed by ${old.threshold} of root v${old.version}'s keys: ${err.message}`,
        );
      }
      throw err;
    }
    selfSigned(candidate, what);
    current = candidate;
    rotated.push({ version: candidate.signed.version, issued: candidate.signed.issued });
  }

  if (Date.parse(current.signed.expires) <= now.getTime()) {
    throw new ExpiredError(
      current.signed.expires,
      `root v${current.signed.version} expired at ${current.signed.expires}; the publisher must sign a new root (an expired root is refused to stop freeze attacks)`,
    );
  }
  return fromEnvelope(current, rotated);
}
