// CasaOS apps: one Compose file whose `x-casaos` extension carries the
// metadata (titles per language, the main service, its UI port). App data
// lives under /DATA/AppData/<app id>.
import type { Issue } from '../issues.ts';
import type { ComposeInput } from './compose-input.ts';
import { type Resolver } from './interpolate.ts';
import { appId, fileIssue, imageTag, manifestVersion, type PeerApp, text } from './peer.ts';

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** CasaOS writes most texts per language: `{ en_us: "…", zh_cn: "…" }`. */
function english(v: unknown): string | undefined {
  if (isMap(v)) return text(v['en_us'] ?? v['en_US'] ?? Object.values(v)[0]);
  return text(v);
}

export function prepareCasaos(compose: ComposeInput): PeerApp {
  const warnings: Issue[] = [];
  const x = isMap(compose.value['x-casaos']) ? compose.value['x-casaos'] : {};
  const services = compose.value['services'] as Json;
  const id = appId(text(compose.value['name']) ?? text(x['store_app_id']) ?? 'imported-app');
  const values = new Map<string, string>([
    ['AppID', id],
    ['PUID', '1000'],
    ['PGID', '1000'],
    ['TZ', 'Etc/UTC'],
  ]);
  const resolve: Resolver = (name) => values.get(name);
  const main = text(x['main']) ?? Object.keys(services)[0]!;
  const mainSvc = services[main];
  // The UI's port and path sit at the top level in newer store files, in the main service's x-casaos in older ones.
  const sx = isMap(mainSvc) && isMap(mainSvc['x-casaos']) ? mainSvc['x-casaos'] : {};
  const hostPort = Number(text(x['port_map']) ?? text(sx['port_map']));
  let launch: PeerApp['launch'];
  if (isMap(mainSvc) && Array.isArray(mainSvc['ports'])) {
    for (const p of mainSvc['ports']) {
      const target = isMap(p) ? Number(p['target']) : Number(String(p).split('/')[0]!.split(':').at(-1));
      const published = isMap(p)
        ? Number(p['published'])
        : Number(String(p).split('/')[0]!.split(':').at(-2));
      if (published === hostPort && launch === undefined) {
        const index = text(x['index']) ?? text(sx['index']);
        launch = {
          service: main,
          port: target,
          hostPort,
          ...(index?.startsWith('/') ? { path: index } : {}),
        };
      }
    }
  }
  const mainImage = isMap(mainSvc) ? mainSvc['image'] : undefined;
  return {
    format: 'casaos',
    meta: {
      id,
      name: english(x['title']) ?? id,
      version: manifestVersion(x['version']) ?? manifestVersion(imageTag(mainImage)),
      tagline: english(x['tagline'])?.slice(0, 120),
      description: english(x['description']) ?? english(x['tagline']),
      category: text(x['category'])?.toLowerCase(),
      developer: text(x['developer']) ?? text(x['author']),
      website: text(x['website']),
      source_code: text(x['repo']),
    },
    context: {
      appId: id,
      resolve,
      dataPrefixes: [`/DATA/AppData/${id}`],
      appDataRoots: ['/DATA/AppData/'],
    },
    secrets: [],
    exports: {},
    dependencies: [],
    ...(launch !== undefined ? { launch } : {}),
    credentials: [],
    warnings,
    refusals: [],
  };
}

export function prepareCompose(compose: ComposeInput, id: string | undefined): PeerApp {
  const services = compose.value['services'] as Json;
  const first = Object.values(services)[0];
  const name = appId(id ?? text(compose.value['name']) ?? 'imported-app');
  const version = manifestVersion(imageTag(isMap(first) ? first['image'] : undefined));
  const warnings: Issue[] =
    version === undefined
      ? []
      : [
          fileIssue(
            compose.file,
            'version',
            'review_metadata',
            `version "${version}" is the tag of the first service's image; set the app version`,
            'warning',
          ),
        ];
  return {
    format: 'compose',
    meta: {
      id: name,
      name,
      version,
      description: undefined,
      category: undefined,
      developer: undefined,
    },
    // A plain Compose file's variables come from the operator's shell: only their defaults are known.
    context: { appId: name, resolve: () => undefined },
    secrets: [],
    exports: {},
    dependencies: [],
    credentials: [],
    warnings,
    refusals: [],
  };
}
