// Env values that carry a secret reach a container through the engine's own
// secret store (Podman secrets), never as plain env: a plain value ends up in
// the Quadlet unit file and in the container's stored config. The renderers
// stay pure: they put a reference (a secret name) where the value would be,
// and `engineSecrets` tells the orchestrator which values to store under which
// names before it creates the containers.
//
// A name is `archy-<app>.<mac>`, at most 64 characters (Podman 4.3 refuses
// longer ones). An app id cannot contain a dot, so `archy-foo.` never prefixes
// a secret of app `foo-bar`; an id too long to fit is shortened and tagged
// with a hash after a `_`, which no app id contains. The mac is an HMAC of the
// member, the variable and the value under a per-node key, so the name changes
// when the value does (the spec hash changes, the member is recreated, and
// the old secret is not overwritten under a container that still uses it),
// while it tells nothing about the value to anyone without the key.
import { createHash, createHmac } from 'node:crypto';
import { RenderError } from './errors.ts';
import { appIdOf, type RenderContext, templateContextFor } from './render-context.ts';
import type { Manifest } from './schema.ts';
import { renderTemplate, templateRefs } from './templates.ts';

/** Podman 4.3 refuses secret names longer than this. */
export const ENGINE_SECRET_NAME_MAX = 64;
/** Hex digits of the mac in a name: 80 bits, so two values never share a name by chance. */
const MAC_HEX = 20;
/** The longest app tag that still fits: `archy-` + tag + `.` + mac. */
const TAG_MAX = ENGINE_SECRET_NAME_MAX - 'archy-'.length - 1 - MAC_HEX;

function appTag(appId: string): string {
  if (appId.length <= TAG_MAX) return appId;
  const hash = createHash('sha256').update(appId).digest('hex').slice(0, 8);
  return `${appId.slice(0, TAG_MAX - hash.length - 1)}_${hash}`;
}

/** The prefix every engine secret of an app starts with, and no other app's does. */
export function engineSecretPrefix(appId: string): string {
  return `archy-${appTag(appId)}.`;
}

export function engineSecretName(
  appId: string,
  member: string,
  envVar: string,
  value: string,
  key: string,
): string {
  if (key.length === 0)
    throw new RenderError(
      'secret_key_missing',
      `app "${appId}" passes a secret to member "${member}" in ${envVar}, but the render context has no secretNameKey`,
    );
  const mac = createHmac('sha256', key)
    .update(JSON.stringify([appId, member, envVar, value]))
    .digest('hex')
    .slice(0, MAC_HEX);
  return `${engineSecretPrefix(appId)}${mac}`;
}

/**
 * Whether a template's rendered value holds a secret: it names one of the
 * app's secrets, or a dependency's export that is rendered from a secret
 * (`RenderContext.depSecretKeys`).
 */
export function carriesSecret(template: string, ctx: Pick<RenderContext, 'depSecretKeys'>): boolean {
  return templateRefs(template).some(
    (ref) =>
      ref.kind === 'secret' ||
      (ref.kind === 'dep' && (ctx.depSecretKeys?.[ref.alias] ?? []).includes(ref.key)),
  );
}

export interface MemberEnv {
  /** Plain env, values as rendered. */
  env: Record<string, string>;
  /** Secret-bearing env: variable → the engine secret's name and the value it holds. */
  secret: Record<string, { name: string; value: string }>;
}

/**
 * A member's env, split into plain values and secret-bearing ones. An
 * operator's override replaces a variable whole and is plain (it comes from
 * the operator, not from the secret store).
 */
export function memberEnv(manifest: Manifest, member: string, ctx: RenderContext): MemberEnv {
  const c = manifest.containers.find((x) => x.name === member);
  if (!c) throw new RenderError('unknown_member', `"${member}" is not a member of app "${manifest.id}"`);
  const appId = appIdOf(manifest, ctx);
  const tctx = templateContextFor(manifest, ctx);
  const env: Record<string, string> = {};
  const secret: MemberEnv['secret'] = {};
  const overrides = ctx.overrides?.env?.[c.name] ?? {};
  for (const [k, v] of Object.entries(c.env)) {
    const value = renderTemplate(v, tctx);
    if (Object.hasOwn(overrides, k)) continue;
    if (carriesSecret(v, ctx))
      secret[k] = { name: engineSecretName(appId, c.name, k, value, ctx.secretNameKey), value };
    else env[k] = value;
  }
  Object.assign(env, overrides);
  return { env, secret };
}

/** Every engine secret the app's members reference, name → value (what to store before create). */
export function engineSecrets(manifest: Manifest, ctx: RenderContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of manifest.containers)
    for (const { name, value } of Object.values(memberEnv(manifest, c.name, ctx).secret)) out[name] = value;
  return out;
}
