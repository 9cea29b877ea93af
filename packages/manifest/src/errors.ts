// Typed errors of the manifest package. Validation never throws: it returns
// issues. These are for callers that break a contract (rendering with a
// context that lacks a secret, hashing a value JSON cannot hold).
export class ManifestError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ManifestError';
    this.code = code;
  }
}

export class CanonicalJsonError extends ManifestError {
  constructor(message: string) {
    super('canonical_json', message);
    this.name = 'CanonicalJsonError';
  }
}

/** A template referenced something the render context does not provide. */
export class TemplateError extends ManifestError {
  readonly ref: string;
  constructor(ref: string, message: string) {
    super('template_unresolved', message);
    this.name = 'TemplateError';
    this.ref = ref;
  }
}

/** The render context lacks something a renderer needs (e.g. the image of a build member). */
export class RenderError extends ManifestError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'RenderError';
  }
}

/** A manifest file could not be read at all (missing, unreadable). */
export class ManifestFileError extends ManifestError {
  readonly file: string;
  constructor(file: string, message: string) {
    super('manifest_file', message);
    this.name = 'ManifestFileError';
    this.file = file;
  }
}
