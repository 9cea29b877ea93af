// The node's side of platform updates (issue 19), thin: the configured release
// repository checked through @archipelago/update (tuf-js), with the release
// root shipped with the software and a metadata cache under the data root.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkReleases, type OfferedRelease, UpdateError } from '@archipelago/update';
import type { ReleaseView, UpdateCheckView } from './api.ts';
import type { Config } from './config.ts';

function view(r: OfferedRelease | null): ReleaseView | null {
  return (
    r && {
      version: r.version,
      channel: r.channel,
      commit: r.commit,
      minFrom: r.min_from,
      notes: r.notes,
      publishedAt: r.published_at,
      length: r.length,
      sha256: r.sha256,
    }
  );
}

type UpdateConfig = Pick<Config, 'dataRoot' | 'releaseUrl' | 'releaseRoot' | 'releaseChannel'>;

export class UpdateService {
  readonly #config: UpdateConfig;
  readonly #installed: string;

  constructor(config: UpdateConfig, installed: string) {
    this.#config = config;
    this.#installed = installed;
  }

  async check(): Promise<UpdateCheckView> {
    const { releaseUrl, releaseRoot, releaseChannel, dataRoot } = this.#config;
    if (!releaseUrl)
      throw new UpdateError(
        'release.not_configured',
        'No release repository is configured: set ARCHY_RELEASE_URL to one (for example a mirror served by "archy release serve").',
      );
    let root: Uint8Array;
    try {
      root = await readFile(releaseRoot);
    } catch (err) {
      throw new UpdateError(
        'release.no_root',
        `The release root ${releaseRoot} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): this node cannot verify any release.`,
      );
    }
    const check = await checkReleases(
      { baseUrl: releaseUrl, cacheDir: join(dataRoot, 'releases', 'metadata-cache'), root },
      this.#installed,
      releaseChannel,
    );
    return {
      installed: check.installed,
      channel: check.channel,
      source: releaseUrl,
      available: view(check.available),
      latest: view(check.latest),
      refused: check.refused.map(({ version, code, reason }) => ({ version, code, reason })),
      rootVersion: check.rootVersion,
      expires: check.expires,
      checkedAt: new Date().toISOString(),
    };
  }
}
