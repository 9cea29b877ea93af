// What validation reports: plain data, one entry per problem, each naming the
// file, the position in it, the field path and a sentence for a person.
export type Severity = 'error' | 'warning';
export type PathSegment = string | number;

export interface Issue {
  file: string;
  /** 1-based; 0 when the position is unknown (a manifest that did not come from YAML text). */
  line: number;
  column: number;
  /** Field path like `containers[1].ports[0].host`; empty for the document itself. */
  path: string;
  message: string;
  /** Stable machine-readable code, e.g. `privileged_port`, `schema.invalid_type`, `yaml.syntax`. */
  code: string;
  severity: Severity;
}

/** An issue before it is placed in a file: path segments instead of a position. */
export interface Finding {
  path: PathSegment[];
  message: string;
  code: string;
  severity: Severity;
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    // Keys that are not plain names (empty, spaces, dots) are quoted so the path stays unambiguous.
    else if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += `[${JSON.stringify(seg)}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** `apps/x/manifest.yml:14:9 containers[1].ports[0].host: port 80 is below 1024 …` (warnings say so). */
export function formatIssue(issue: Issue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  const field = issue.path === '' ? ':' : ` ${issue.path}:`;
  const tag = issue.severity === 'warning' ? ' warning:' : '';
  return `${where}${field}${tag} ${issue.message}`;
}

export function error(path: PathSegment[], code: string, message: string): Finding {
  return { path, code, message, severity: 'error' };
}

export function warning(path: PathSegment[], code: string, message: string): Finding {
  return { path, code, message, severity: 'warning' };
}
