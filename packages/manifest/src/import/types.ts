// What an import takes and gives: the peer's files as text (the CLI reads
// them; nothing here touches the disk), and a manifest or the reasons why not.
import type { Issue } from '../issues.ts';
import type { Manifest } from '../schema.ts';

/** The peer formats an import understands, detected from the files present. */
export type PeerFormat = 'umbrel' | 'runtipi' | 'casaos' | 'compose';

/** The files of one peer app directory: name (relative, `/`-separated) → text. */
export type SourceFiles = Readonly<Record<string, string>>;

export interface ImportOptions {
  /** The app id when the source does not name one (plain Compose): usually the directory's name. */
  id?: string | undefined;
}

export type ImportResult =
  | {
      ok: true;
      format: PeerFormat;
      manifest: Manifest;
      /** The manifest as written (only the fields the import set; defaults stay implicit). */
      document: Record<string, unknown>;
      /** Keys that did not map, defaults taken, values to review: each names the file and key. */
      warnings: Issue[];
    }
  | {
      ok: false;
      format: PeerFormat | undefined;
      /** What the platform refuses (privileged, the engine socket, …), the compose key named. */
      refusals: Issue[];
      /** Input that is not valid Compose, or a result that fails the manifest's own validation. */
      errors: Issue[];
      warnings: Issue[];
    };
