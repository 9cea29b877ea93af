// What tuf-js and @tufjs/models throw, turned into the registry's refusals:
// one code per attack class, and a sentence that says what was wrong and
// where, with the client's own words after it. Pure. Catalogs and platform
// releases (@archipelago/update) are both TUF repositories: the subject only
// changes the codes' prefix and the words.
import { FetchError, RegistryError, TufRefusedError, type TufRefusalCode } from '../errors.ts';

export type TufSubject = { prefix: 'catalog' | 'release'; noun: string };
export const CATALOG_SUBJECT: TufSubject = { prefix: 'catalog', noun: 'the catalog' };

/** tuf-js's error classes, matched by name: its two packages each define some, and names are stable API. */
export function tufRefusal(
  err: unknown,
  where: string,
  subject: TufSubject = CATALOG_SUBJECT,
): RegistryError {
  if (err instanceof RegistryError) return err;
  const name = err instanceof Error ? err.constructor.name : '';
  const detail = err instanceof Error ? err.message : String(err);
  const refuse = (code: `catalog.${string}`, what: string) =>
    new TufRefusedError(
      code.replace(/^catalog\./, `${subject.prefix}.`) as TufRefusalCode,
      where,
      `${subject.noun} at ${where} is refused: ${what} (${detail})`,
    );
  switch (name) {
    case 'UnsignedMetadataError':
      return refuse(
        'catalog.unsigned',
        'its metadata is not signed by a threshold of the keys its role trusts',
      );
    case 'ExpiredMetadataError':
      return refuse('catalog.expired', 'its metadata is past its expiry, so it may be an old copy replayed');
    case 'EqualVersionError':
    case 'BadVersionError':
      return /less than|equal to/i.test(detail)
        ? refuse('catalog.rollback', 'it offers an older version than this node already trusts')
        : refuse(
            'catalog.mix_and_match',
            'a metadata file is not the version its snapshot or timestamp names',
          );
    case 'LengthOrHashMismatchError':
      return refuse(
        'catalog.hash_mismatch',
        'a file does not have the length and hash its signed metadata gives',
      );
    case 'DownloadLengthMismatchError':
      return refuse(
        'catalog.too_large',
        'a file is longer than the size its metadata allows; the download was cut',
      );
    case 'DownloadHTTPError':
      return new FetchError(where, `${subject.noun} at ${where} could not be fetched: ${detail}`);
    case 'TypeError':
      if (detail === 'fetch failed')
        return new FetchError(where, `${subject.noun} at ${where} is unreachable: ${describeCause(err)}`);
      return refuse('catalog.malformed', 'its metadata is not valid TUF metadata');
    case 'ValueError':
    case 'RepositoryError':
    case 'SyntaxError':
      return refuse('catalog.malformed', 'its metadata is not valid TUF metadata');
    default:
      return byMessage(detail, refuse);
  }
}

/**
 * tuf-js wraps a failure while loading a targets role in a RuntimeError whose
 * message carries the original one ("Unable to load targets error Error: …"):
 * recognise the original by its words.
 */
function byMessage(
  detail: string,
  refuse: (code: `catalog.${string}`, what: string) => RegistryError,
): RegistryError {
  if (/was signed by \d+\/\d+ keys/.test(detail))
    return refuse(
      'catalog.unsigned',
      'its metadata is not signed by a threshold of the keys its role trusts',
    );
  if (/Max length reached/.test(detail))
    return refuse(
      'catalog.too_large',
      'a file is longer than the size its metadata allows; the download was cut',
    );
  if (/does not match snapshot version|doesn't match/.test(detail))
    return refuse(
      'catalog.mix_and_match',
      'a metadata file is not the version its snapshot or timestamp names',
    );
  if (/less than current version/.test(detail))
    return refuse('catalog.rollback', 'it offers an older version than this node already trusts');
  if (/is expired/.test(detail))
    return refuse('catalog.expired', 'its metadata is past its expiry, so it may be an old copy replayed');
  if (/length|hash/i.test(detail))
    return refuse(
      'catalog.hash_mismatch',
      'a file does not have the length and hash its signed metadata gives',
    );
  return refuse('catalog.refused', 'the TUF client refused it');
}

function describeCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? 'no answer';
}
