// Container image references: `[registry[:port]/]path[:tag][@sha256:<64 hex>]`.
import { error, type Finding, type PathSegment, warning } from './issues.ts';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?';
const IMAGE_REF = new RegExp(
  `^(?:(?<domain>${DOMAIN})/)?(?<path>${COMPONENT}(?:/${COMPONENT})*)(?::(?<tag>[\\w][\\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$`,
);

export interface ImageRef {
  domain?: string;
  path: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(ref: string): ImageRef | undefined {
  const m = IMAGE_REF.exec(ref);
  if (!m?.groups) return undefined;
  const { domain, path, tag, digest } = m.groups;
  // "host:5000/x" is a registry with a port; "name:tag" alone has no domain.
  return {
    path: path!,
    ...(domain !== undefined ? { domain } : {}),
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** Malformed → error; no digest → warning (tags move); `:latest` or no tag → warning. */
export function checkImageRef(ref: string, at: PathSegment[]): Finding[] {
  const parsed = parseImageRef(ref);
  if (!parsed) {
    return [
      error(
        at,
        'image_ref_malformed',
        `"${ref}" is not a valid image reference (expected [registry/]name[:tag][@sha256:<64 hex digits>])`,
      ),
    ];
  }
  const out: Finding[] = [];
  if (parsed.tag === undefined && parsed.digest === undefined) {
    out.push(
      warning(
        at,
        'image_untagged',
        `"${ref}" has no tag, which means :latest and changes under you; pin a version and a digest`,
      ),
    );
  } else if (parsed.tag === 'latest') {
    out.push(
      warning(
        at,
        'image_latest',
        `"${ref}" uses :latest, which changes under you; pin a version and a digest`,
      ),
    );
  }
  if (parsed.digest === undefined && !(parsed.domain === 'localhost')) {
    out.push(
      warning(at, 'image_no_digest', `"${ref}" is not pinned by digest (@sha256:…); a digest is preferred`),
    );
  }
  return out;
}
