import assert from 'node:assert/strict';
import type { AppUnderTest } from '../../src/steps.ts';
import { type RealJob, type RealJobContext, basic } from './context.ts';

const PAGE = 'archy:realjob';
const ANONYMOUS_PAGE = 'archy:anonymous';

const xmlString = (s: string): string =>
  `<string>${s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')}</string>`;

/** Calls DokuWiki's XML-RPC API (`/lib/exe/xmlrpc.php`), with basic auth when given; status and body. */
async function xmlrpc(
  ctx: RealJobContext,
  a: AppUnderTest,
  authorization: string | undefined,
  method: string,
  params: string[],
): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${ctx.hostPort(a, 'web', 8080)}/lib/exe/xmlrpc.php`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml', ...(authorization ? { authorization } : {}) },
    body: `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params
      .map((p) => `<param><value>${p}</value></param>`)
      .join('')}</params></methodCall>`,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: await res.text() };
}

const putPage = (id: string, text: string): string[] => [
  xmlString(id),
  xmlString(text),
  `<struct><member><name>sum</name><value>${xmlString('Archipelago real-job check')}</value></member></struct>`,
];

/** A page's wiki text as anyone may read it (`do=export_raw`); undefined when there is none. */
async function rawPage(ctx: RealJobContext, a: AppUnderTest, id: string): Promise<string | undefined> {
  const res = await fetch(
    `http://127.0.0.1:${ctx.hostPort(a, 'web', 8080)}/doku.php?id=${encodeURIComponent(id)}&do=export_raw`,
    { signal: AbortSignal.timeout(30_000) },
  );
  const text = await res.text();
  return res.status === 200 ? text : undefined;
}

const job: RealJob = {
  // The admin writes a page through the remote API; anonymous and wrong-password writes are refused.
  async write(ctx, a, marker) {
    const anonymous = await xmlrpc(ctx, a, undefined, 'wiki.putPage', putPage(ANONYMOUS_PAGE, marker));
    assert.equal(anonymous.status, 401, `an anonymous write is refused: HTTP ${anonymous.status}`);
    assert.doesNotMatch(
      anonymous.body,
      /<boolean>1<\/boolean>/,
      'the anonymous write did not report success',
    );
    assert.ok(
      !(await rawPage(ctx, a, ANONYMOUS_PAGE))?.includes(marker),
      'the anonymous write left nothing behind',
    );
    const wrong = await xmlrpc(
      ctx,
      a,
      basic('admin', 'wrong-password'),
      'wiki.putPage',
      putPage(ANONYMOUS_PAGE, marker),
    );
    assert.equal(wrong.status, 401, `a wrong password is refused: HTTP ${wrong.status}`);
    const admin = await xmlrpc(
      ctx,
      a,
      basic('admin', ctx.secret(a.manifest.id, 'admin_password')),
      'wiki.putPage',
      putPage(PAGE, `====== Archipelago ======\n\n${marker}\n`),
    );
    assert.equal(admin.status, 200, `the admin's write: HTTP ${admin.status}`);
    assert.doesNotMatch(
      admin.body,
      /<fault>/,
      `the admin's write answered a fault: ${admin.body.slice(0, 400)}`,
    );
    assert.match(admin.body, /<boolean>1<\/boolean>/, 'wiki.putPage reports success');
  },
  async read(ctx, a, marker) {
    return (await rawPage(ctx, a, PAGE))?.includes(marker) ?? false;
  },
};

export default job;
