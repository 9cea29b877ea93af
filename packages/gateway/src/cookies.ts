// Cookies at the gateway. Browsers keep cookies per host, NOT per port, so
// with a port per app every app's origin receives every cookie of the node's
// host name: the node's session cookie and the gateway's per-app cookies of
// the other apps. The gateway removes all of them from what it forwards, and
// keeps the app's own cookies as they were sent.

/** The gateway's per-app session cookie name (per app, since all ports of a host share cookies). */
export const APP_COOKIE_PREFIX = 'archy_gw_';
export const appCookieName = (appId: string) => `${APP_COOKIE_PREFIX}${appId}`;

/** The value of cookie `name` in a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    const key = (eq === -1 ? part : part.slice(0, eq)).trim();
    if (key === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/**
 * The Cookie header without the node's cookie and without any gateway cookie;
 * undefined when nothing is left (the header is then dropped).
 */
export function stripNodeCookies(header: string | undefined, nodeCookie: string): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => {
      if (part === '') return false;
      const eq = part.indexOf('=');
      const key = (eq === -1 ? part : part.slice(0, eq)).trim();
      return key !== nodeCookie && !key.startsWith(APP_COOKIE_PREFIX);
    });
  return kept.length === 0 ? undefined : kept.join('; ');
}

/** The Set-Cookie value of the gateway's per-app session: this origin only, HttpOnly, SameSite=Lax. */
export function appSessionCookie(
  appId: string,
  token: string | null,
  options: { secure: boolean; maxAgeSecs: number },
): string {
  // Lax, not Strict: the sign-in round trip comes back to the app by a top-level navigation from the node.
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (options.secure) attrs.push('Secure');
  const name = appCookieName(appId);
  if (token === null) return [`${name}=`, 'Max-Age=0', ...attrs].join('; ');
  return [`${name}=${token}`, `Max-Age=${options.maxAgeSecs}`, ...attrs].join('; ');
}
