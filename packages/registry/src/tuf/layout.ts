// Where things live in a catalog that is a TUF repository (docs/catalog-format.md):
//   metadata/<v>.root.json, metadata/timestamp.json, metadata/<v>.snapshot.json,
//   metadata/<v>.targets.json, metadata/<v>.<delegated role>.json
//   targets/catalog.json                      the index: which apps, where their files are
//   targets/apps/<id>/<sha256>.manifest.json  the canonical JSON of the manifest
//   targets/apps/<id>/<sha256>.icon.<ext>     its icon
//   targets/apps/<id>/<sha256>.context.json   its build context bundle
// Every target is named by its TUF path (without the hash prefix, which
// consistent snapshots add on the wire); lengths and hashes live in targets.
import { z } from 'zod';
import { Sha256Ref } from '../format.ts';

export const TUF_CATALOG_TYPE = 'archipelago-tuf-catalog';
export const TUF_CATALOG_FORMAT = 2;
export const INDEX_TARGET = 'catalog.json';
export const METADATA_DIR = 'metadata';
export const TARGETS_DIR = 'targets';

const AppId = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label');

export function manifestTarget(id: string): string {
  return `apps/${id}/manifest.json`;
}
export function iconTarget(id: string, ext: 'png' | 'svg' | 'jpg' | 'webp'): string {
  return `apps/${id}/icon.${ext}`;
}
export function contextTarget(id: string): string {
  return `apps/${id}/context.json`;
}

/** The proven quality level, as the gate computed it (docs/quality-levels.md). */
export const QualityClaim = z.strictObject({
  level: z.number().int().min(0).max(8),
  /** When the gate run that proved it finished. */
  run_at: z.iso.datetime({ offset: true }),
  reasons: z.array(z.string().max(300)).max(20).default([]),
});

export const QUALITY_FILE_TYPE = 'archipelago-quality';

/**
 * What `archy gate --quality FILE` writes and the official catalog build reads:
 * the proven level of each app of one gate run, with the version it was proven
 * for, so a level never carries over to a version the gate did not run.
 */
export const QualityFile = z.strictObject({
  _type: z.literal(QUALITY_FILE_TYPE),
  format: z.literal(1),
  apps: z.record(AppId, QualityClaim.extend({ version: z.string().min(1).max(128) })),
});

export const IndexApp = z.strictObject({
  id: AppId,
  /** TUF target path of the manifest: `apps/<id>/manifest.json`. */
  manifest: z.string().regex(/^apps\/[a-z0-9-]+\/manifest\.json$/),
  icon: z
    .strictObject({
      path: z.string().regex(/^apps\/[a-z0-9-]+\/icon\.(png|svg|jpg|webp)$/),
      media_type: z.enum(['image/png', 'image/svg+xml', 'image/jpeg', 'image/webp']),
    })
    .optional(),
  context: z
    .string()
    .regex(/^apps\/[a-z0-9-]+\/context\.json$/)
    .optional(),
  quality: QualityClaim.optional(),
});

export const CatalogIndex = z
  .strictObject({
    _type: z.literal(TUF_CATALOG_TYPE),
    format: z.literal(TUF_CATALOG_FORMAT),
    name: z.string().min(1).max(80),
    apps: z.array(IndexApp).max(10000),
  })
  .superRefine((index, ctx) => {
    const seen = new Set<string>();
    index.apps.forEach((app, i) => {
      if (seen.has(app.id))
        ctx.addIssue({ code: 'custom', path: ['apps', i, 'id'], message: `lists "${app.id}" twice` });
      seen.add(app.id);
      if (app.manifest !== manifestTarget(app.id))
        ctx.addIssue({
          code: 'custom',
          path: ['apps', i, 'manifest'],
          message: `must be ${manifestTarget(app.id)}`,
        });
    });
  });

export type QualityClaim = z.infer<typeof QualityClaim>;
export type QualityFile = z.infer<typeof QualityFile>;
export type IndexApp = z.infer<typeof IndexApp>;
export type CatalogIndex = z.infer<typeof CatalogIndex>;
export { Sha256Ref };
