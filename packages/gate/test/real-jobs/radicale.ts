import assert from 'node:assert/strict';
import { type RealJob, basic } from './context.ts';

const job: RealJob = {
  async write(ctx, a, marker) {
    const port = ctx.hostPort(a, 'main', 5232);
    const auth = basic('archy', ctx.secret(a.manifest.id, 'password'));
    const denied = await fetch(`http://127.0.0.1:${port}/archy/`, {
      method: 'PROPFIND',
      headers: { authorization: basic('archy', 'wrong-password') },
      signal: AbortSignal.timeout(30_000),
    });
    assert.equal(denied.status, 401, 'a wrong password is refused');
    const made = await fetch(`http://127.0.0.1:${port}/archy/archy-test/`, {
      method: 'MKCALENDAR',
      headers: { authorization: auth },
      signal: AbortSignal.timeout(30_000),
    });
    assert.ok(made.status === 201 || made.status === 405, `creating a calendar: HTTP ${made.status}`);
    const event = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Archipelago//real-apps test//EN',
      'BEGIN:VEVENT',
      `UID:${marker}`,
      'DTSTAMP:20260101T000000Z',
      'DTSTART:20260102T100000Z',
      'DTEND:20260102T110000Z',
      `SUMMARY:${marker}`,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const put = await fetch(`http://127.0.0.1:${port}/archy/archy-test/${marker}.ics`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'text/calendar' },
      body: event,
      signal: AbortSignal.timeout(30_000),
    });
    assert.ok(put.status === 201 || put.status === 204, `storing an event: HTTP ${put.status}`);
  },
  async read(ctx, a, marker) {
    const port = ctx.hostPort(a, 'main', 5232);
    const res = await fetch(`http://127.0.0.1:${port}/archy/archy-test/${marker}.ics`, {
      headers: { authorization: basic('archy', ctx.secret(a.manifest.id, 'password')) },
      signal: AbortSignal.timeout(30_000),
    });
    return res.status === 200 && (await res.text()).includes(`SUMMARY:${marker}`);
  },
};

export default job;
