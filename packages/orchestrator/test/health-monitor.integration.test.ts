// The health monitor against real sockets on this host: verdicts move
// starting → healthy → unhealthy on schedule, each change is recorded once and
// reported, and the app's ready and progress probes feed the planner's view.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Health } from '@archipelago/manifest';
import { HealthMonitor } from '../src/health/monitor.ts';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : 0);
    });
  });
}

/** Resolves at the first onChange for which `check` holds (no clock: the monitor's own reports drive it). */
function changeWhere(
  changes: { on: (f: () => void) => void },
  check: () => boolean,
  what: string,
  // Only how long a real failure takes to be reported: generous, for a loaded CI host.
  ms = 60_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    changes.on(() => {
      if (check()) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

describe('health monitor on real sockets', () => {
  let healthy = true;
  let ready = false;
  let percent = 10;
  const server = createServer((req, res) => {
    if (req.url === '/health') res.statusCode = healthy ? 200 : 500;
    else if (req.url === '/ready') res.statusCode = ready ? 200 : 503;
    else if (req.url === '/progress') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ sync: { percent } }));
    }
    res.end();
  });
  let port = 0;
  before(async () => {
    port = await listen(server);
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('verdicts, history and ready/progress, driven by what the app answers', async () => {
    const recorded: string[] = [];
    const listeners: (() => void)[] = [];
    const monitor = new HealthMonitor({
      exec: async () => ({ exitCode: 0, stdout: '' }),
      onChange: () => {
        for (const l of [...listeners]) l();
      },
      record: (appId, member, state) => recorded.push(`${appId}/${member}=${state}`),
      startingIntervalMs: 50,
    });
    const changes = { on: (f: () => void) => listeners.push(f) };
    const health: Health = {
      type: 'http',
      port: 80,
      path: '/health',
      scheme: 'http',
      interval_secs: 1,
      timeout_secs: 1,
      retries: 2,
      start_period_secs: 0,
    };
    const ports = [{ container: 80, protocol: 'tcp' as const, hostPort: port, hostIp: '' }];
    const at = { containerId: 'c1', pid: process.pid, ports };
    const sync = () =>
      monitor.sync(
        [{ appId: 'a', member: 'web', startedAt: Date.now(), health, ...at }],
        [
          {
            appId: 'a',
            kind: 'ready',
            probe: { type: 'http', port: 80, path: '/ready', scheme: 'http' },
            intervalMs: 1000,
            timeoutMs: 1000,
            ...at,
          },
          {
            appId: 'a',
            kind: 'progress',
            probe: { type: 'http', port: 80, path: '/progress', scheme: 'http' },
            intervalMs: 1000,
            timeoutMs: 1000,
            jsonField: 'sync.percent',
            ...at,
          },
        ],
      );
    const view = () => monitor.snapshot()['a'];
    try {
      const becameHealthy = changeWhere(
        changes,
        () => view()?.members['web']?.state === 'healthy' && view()?.progress === 10,
        'healthy with progress',
      );
      sync();
      await becameHealthy;
      assert.equal(view()?.ready, false);
      assert.deepEqual(recorded, ['a/web=healthy']);

      ready = true;
      percent = 100;
      await changeWhere(changes, () => view()?.ready === true && view()?.progress === 100, 'ready at 100 %');

      healthy = false;
      await changeWhere(
        changes,
        () => view()?.members['web']?.state === 'unhealthy',
        'unhealthy after 2 failures',
        15_000,
      );
      assert.equal(view()?.members['web']?.live, false, 'a 500 answer is not live');
      assert.deepEqual(recorded, ['a/web=healthy', 'a/web=unhealthy']);

      // The same container started again: its verdict starts over, the old "unhealthy" does not stick.
      healthy = true;
      monitor.forget('a', 'web');
      const again = changeWhere(changes, () => view()?.members['web']?.state === 'healthy', 'healthy again');
      sync();
      await again;
      assert.deepEqual(recorded, ['a/web=healthy', 'a/web=unhealthy', 'a/web=healthy']);

      // Gone from the running set: no more probes, no verdict.
      monitor.sync([], []);
      assert.equal(view(), undefined);
    } finally {
      monitor.close();
    }
  });
});
