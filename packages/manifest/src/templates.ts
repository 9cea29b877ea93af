// Templates in env values, commands, files, exports and credentials. A
// template is `{{` + a token without spaces or braces + `}}`; anything else
// (including Go-style `{{ .Field }}` with spaces) is literal text, so configs
// that use braces for their own purposes pass through untouched.
import { TemplateError } from './errors.ts';

export type TemplateRef =
  | { kind: 'secret'; raw: string; name: string }
  | { kind: 'dep'; raw: string; alias: string; key: string; fallback?: string }
  | { kind: 'container'; raw: string; member: string }
  | { kind: 'port'; raw: string; name: string }
  | { kind: 'APP_ID' | 'APP_DATA' | 'HOST_IP'; raw: string }
  | { kind: 'unknown'; raw: string };

export const TEMPLATE_FORMS = [
  '{{secret:NAME}}',
  '{{dep:ALIAS.KEY}}',
  '{{dep:ALIAS.KEY|DEFAULT}}',
  '{{container:MEMBER}}',
  '{{port:NAME}}',
  '{{APP_ID}}',
  '{{APP_DATA}}',
  '{{HOST_IP}}',
] as const;

const TEMPLATE = /\{\{([^{}\s]+)\}\}/g;

function classify(token: string): TemplateRef {
  const raw = `{{${token}}}`;
  if (token === 'APP_ID' || token === 'APP_DATA' || token === 'HOST_IP') return { kind: token, raw };
  const colon = token.indexOf(':');
  if (colon > 0) {
    const scheme = token.slice(0, colon);
    const rest = token.slice(colon + 1);
    if (rest !== '') {
      if (scheme === 'secret') return { kind: 'secret', raw, name: rest };
      if (scheme === 'container') return { kind: 'container', raw, member: rest };
      if (scheme === 'port') return { kind: 'port', raw, name: rest };
      if (scheme === 'dep') {
        // `|DEFAULT` (possibly empty): the value while the dependency, an optional one, is absent.
        const bar = rest.indexOf('|');
        const name = bar < 0 ? rest : rest.slice(0, bar);
        const dot = name.indexOf('.');
        if (dot > 0 && dot < name.length - 1) {
          const ref = { kind: 'dep', raw, alias: name.slice(0, dot), key: name.slice(dot + 1) } as const;
          return bar < 0 ? ref : { ...ref, fallback: rest.slice(bar + 1) };
        }
      }
    }
  }
  return { kind: 'unknown', raw };
}

/** Every template reference in a string, in order of appearance. */
export function templateRefs(tpl: string): TemplateRef[] {
  return [...tpl.matchAll(TEMPLATE)].map((m) => classify(m[1]!));
}

/** Everything a template can refer to, already resolved for one app on one node. */
export interface TemplateContext {
  appId: string;
  /** The app's data directory on the host. */
  appData: string;
  hostIp: string;
  secrets: Readonly<Record<string, string>>;
  deps: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Container name of each member. */
  containers: Readonly<Record<string, string>>;
  /** Host port of each named port mapping. */
  ports: Readonly<Record<string, number>>;
}

function lookup(ref: TemplateRef, ctx: TemplateContext): string | undefined {
  switch (ref.kind) {
    case 'APP_ID':
      return ctx.appId;
    case 'APP_DATA':
      return ctx.appData;
    case 'HOST_IP':
      return ctx.hostIp;
    case 'secret':
      return Object.hasOwn(ctx.secrets, ref.name) ? ctx.secrets[ref.name] : undefined;
    case 'dep': {
      const dep = Object.hasOwn(ctx.deps, ref.alias) ? ctx.deps[ref.alias] : undefined;
      return dep && Object.hasOwn(dep, ref.key) ? dep[ref.key] : ref.fallback;
    }
    case 'container':
      return Object.hasOwn(ctx.containers, ref.member) ? ctx.containers[ref.member] : undefined;
    case 'port': {
      const port = Object.hasOwn(ctx.ports, ref.name) ? ctx.ports[ref.name] : undefined;
      return port === undefined ? undefined : String(port);
    }
    case 'unknown':
      return undefined;
  }
}

/**
 * Replaces every template. Throws TemplateError naming the reference when the
 * context cannot resolve it; a validated manifest with a complete context
 * never does. The message never contains a resolved value (secrets stay out).
 */
export function renderTemplate(tpl: string, ctx: TemplateContext): string {
  return tpl.replace(TEMPLATE, (_match, token: string) => {
    const ref = classify(token);
    const value = lookup(ref, ctx);
    if (value === undefined) {
      const why =
        ref.kind === 'unknown'
          ? `is not a known template (known: ${TEMPLATE_FORMS.join(', ')})`
          : 'has no value in the render context';
      throw new TemplateError(ref.raw, `template ${ref.raw} ${why}`);
    }
    return value;
  });
}
