import assert from 'node:assert/strict';
import type { RealJob } from './context.ts';

/** Signs in to phpMyAdmin's login form (token and cookies as a browser sends them); true when it let us in. */
async function phpMyAdminSignIn(port: number, user: string, password: string): Promise<boolean> {
  const base = `http://127.0.0.1:${port}/index.php`;
  const jar = new Map<string, string>();
  const keep = (res: Response): void => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  const cookie = (): string => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const page = await fetch(base, { signal: AbortSignal.timeout(30_000) });
  keep(page);
  const token = /name="token" value="([^"]+)"/.exec(await page.text())?.[1];
  assert.ok(token, 'the login page carries its form token');
  const login = await fetch(base, {
    method: 'POST',
    headers: { cookie: cookie() },
    body: new URLSearchParams({ pma_username: user, pma_password: password, server: '1', token, route: '/' }),
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  keep(login);
  const home = await fetch(base, { headers: { cookie: cookie() }, signal: AbortSignal.timeout(30_000) });
  return (await home.text()).includes('Log out');
}

const job: RealJob = {
  // Signed in through phpMyAdmin with the generated account; a row written with that account stays.
  async write(ctx, a, marker) {
    const port = ctx.hostPort(a, 'web', 8080);
    assert.equal(
      await phpMyAdminSignIn(port, 'admin', 'wrong-password'),
      false,
      'a wrong password is refused',
    );
    assert.ok(
      await phpMyAdminSignIn(port, 'admin', ctx.secret(a.manifest.id, 'db_password')),
      'phpMyAdmin lets admin in',
    );
    await ctx.exec(a.manifest.id, 'db', [
      'sh',
      '-c',
      'MYSQL_PWD="$DB_PASSWORD" mariadb -h 127.0.0.1 -u "$DB_USER" "$DB_NAME" -e "CREATE TABLE IF NOT EXISTS notes (body VARCHAR(200)); INSERT INTO notes VALUES (\'$0\')"',
      marker,
    ]);
  },
  async read(ctx, a, marker) {
    const out = await ctx.exec(a.manifest.id, 'db', [
      'sh',
      '-c',
      'MYSQL_PWD="$DB_PASSWORD" mariadb -h 127.0.0.1 -u "$DB_USER" "$DB_NAME" -N -e "SELECT body FROM notes"',
    ]);
    return out.split('\n').includes(marker);
  },
};

export default job;
