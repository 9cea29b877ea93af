// The catalog format, version 1 (docs/catalog-format.md). Two signed document
// kinds share one envelope `{ signed, signatures: [{ keyid, sig }] }`:
//   - a root: the publisher's keys and how many of them must sign;
//   - a catalog: the publisher, a monotonic version, an expiry and the apps,
//     each with its full manifest embedded and the sha256 of its canonical JSON.
// Signatures are Ed25519 over the UTF-8 bytes of the RFC 8785 canonical JSON
// of `signed`; a key id is the signer's did:key. The catalog envelope carries
// the publisher's chain of roots (outside `signed`: each root is signed on its own).
import { z } from 'zod';
import { parseDidKey } from './did-key.ts';

export const CATALOG_FORMAT = 1;
export const CATALOG_TYPE = 'archipelago-catalog';
export const ROOT_TYPE = 'archipelago-root';

export const DidKey = z.string().superRefine((value, ctx) => {
  const parsed = parseDidKey(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
});

export const Sha256Ref = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" followed by 64 lowercase hex digits');
const Timestamp = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 date-time like 2026-01-31T12:00:00Z',
});
const Version = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const AppId = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'must be a DNS label (a-z, 0-9 and "-", at most 63 characters)',
  );

export const Signature = z.strictObject({
  /** The signer's did:key. */
  keyid: DidKey,
  /** Ed25519 signature, 64 bytes as lowercase hex. */
  sig: z.string().regex(/^[0-9a-f]{128}$/, 'must be an Ed25519 signature: 128 lowercase hex digits'),
});

export const RootSigned = z
  .strictObject({
    _type: z.literal(ROOT_TYPE),
    format: z.literal(CATALOG_FORMAT),
    /** 1 for the first root; each rotation adds exactly one. */
    version: Version,
    issued: Timestamp,
    expires: Timestamp,
    /** The publisher's current signing keys. */
    keys: z.array(DidKey).min(1).max(32),
    /** How many distinct keys of `keys` must sign a catalog (and the next root). */
    threshold: z.number().int().min(1).max(32),
  })
  .superRefine((root, ctx) => {
    if (new Set(root.keys).size !== root.keys.length) {
      ctx.addIssue({ code: 'custom', path: ['keys'], message: 'lists the same key twice' });
    }
    if (root.threshold > new Set(root.keys).size) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: `is ${root.threshold} but the root lists only ${root.keys.length} key(s)`,
      });
    }
  });

export const IconRef = z.strictObject({
  /** sha256 of the icon file's bytes. */
  hash: Sha256Ref,
  media_type: z.enum(['image/png', 'image/svg+xml', 'image/jpeg', 'image/webp']),
  /** Relative to the catalog's URL, e.g. `icons/<hex>.png`. */
  path: z
    .string()
    .regex(/^icons\/[0-9a-f]{64}\.(png|svg|jpg|webp)$/, 'must be "icons/<sha256 hex>.<png|svg|jpg|webp>"'),
});

export const ContextRef = z.strictObject({
  /** sha256 of the bundle file's bytes. */
  hash: Sha256Ref,
  /** Relative to the catalog's URL: `contexts/<hex>.json`. */
  path: z.string().regex(/^contexts\/[0-9a-f]{64}\.json$/, 'must be "contexts/<sha256 hex>.json"'),
  size: z
    .number()
    .int()
    .min(1)
    .max(64 * 1024 * 1024),
});

export const CatalogApp = z.strictObject({
  id: AppId,
  /** `sha256:<hex>` of the RFC 8785 canonical JSON of `manifest`. */
  manifest_hash: Sha256Ref,
  /** The full app manifest (v1), as JSON; validated by @archipelago/manifest. */
  manifest: z.record(z.string(), z.unknown()),
  icon: IconRef.optional(),
  /** The app's build context, for apps with `build:` members (no container registry is reachable on a node). */
  context: ContextRef.optional(),
});

export const CatalogSigned = z
  .strictObject({
    _type: z.literal(CATALOG_TYPE),
    format: z.literal(CATALOG_FORMAT),
    /** The publisher's identity: the did:key operators add the source with (its first root key). */
    publisher: DidKey,
    name: z.string().min(1).max(80),
    /** Monotonic: a node refuses a lower version than it accepted before, and the same version with other content. */
    version: Version,
    issued: Timestamp,
    expires: Timestamp,
    apps: z.array(CatalogApp).max(10000),
  })
  .superRefine((catalog, ctx) => {
    const seen = new Set<string>();
    catalog.apps.forEach((app, i) => {
      if (seen.has(app.id))
        ctx.addIssue({ code: 'custom', path: ['apps', i, 'id'], message: `lists app "${app.id}" twice` });
      seen.add(app.id);
    });
  });

export const RootEnvelope = z.strictObject({ signed: RootSigned, signatures: z.array(Signature).max(64) });
export const CatalogEnvelope = z.strictObject({
  signed: CatalogSigned,
  signatures: z.array(Signature).max(64),
  /** The publisher's roots in increasing version order, so a node that trusts an older root can follow rotations. */
  roots: z.array(RootEnvelope).max(1000).default([]),
});

export type Signature = z.infer<typeof Signature>;
export type RootSigned = z.infer<typeof RootSigned>;
export type RootEnvelope = z.infer<typeof RootEnvelope>;
export type CatalogApp = z.infer<typeof CatalogApp>;
export type IconRef = z.infer<typeof IconRef>;
export type ContextRef = z.infer<typeof ContextRef>;
export type CatalogSigned = z.infer<typeof CatalogSigned>;
export type CatalogEnvelope = z.infer<typeof CatalogEnvelope>;
/** Any signed document: what `sign` adds a signature to. */
export type Envelope<T> = { signed: T; signatures: Signature[] };
