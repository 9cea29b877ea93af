// Pure parsers of /proc files, with real file contents as data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cpuPercent,
  descendants,
  parseCpuLine,
  parseMeminfo,
  parseNetDev,
  parseOomKills,
  parseStat,
  parseStatusMemory,
} from '../src/proc/parse.ts';
import { linearTrend, timeToZeroMs } from '../src/rules/trend.ts';

test('stat: a command name with spaces and parentheses does not shift the fields', () => {
  const line = '4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 99 1000 200 x';
  const s = parseStat(4242, line);
  assert.deepEqual(s, { pid: 4242, ppid: 17, state: 'S', cpuTicks: 300 });
  assert.equal(parseStat(1, 'garbage'), null);
});

test('status: RSS and the file-backed part (cache); a kernel thread has none', () => {
  const text =
    'Name:\tnode\nVmRSS:\t  51200 kB\nRssAnon:\t 40000 kB\nRssFile:\t 10000 kB\nRssShmem:\t  1200 kB\n';
  assert.deepEqual(parseStatusMemory(text), { rssBytes: 51200 * 1024, cacheBytes: 11200 * 1024 });
  assert.deepEqual(parseStatusMemory('Name:\tkthreadd\n'), { rssBytes: 0, cacheBytes: 0 });
});

test('net/dev: every interface but loopback is summed', () => {
  const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    9999      10    0    0    0     0          0         0     9999      10    0    0    0     0       0          0
  eth0:    1500      12    0    0    0     0          0         0      700       9    0    0    0     0       0          0
  tap0:     500       2    0    0    0     0          0         0      300       1    0    0    0     0       0          0
`;
  assert.deepEqual(parseNetDev(text), { rxBytes: 2000, txBytes: 1000 });
});

test('descendants: the whole tree under the roots, and nothing else', () => {
  const parents = new Map([
    [1, 0],
    [10, 1],
    [11, 10],
    [12, 11],
    [20, 1],
    [21, 20],
  ]);
  assert.deepEqual([...descendants([10], parents)].sort(), [10, 11, 12]);
  assert.deepEqual([...descendants([99], parents)], [], 'a pid that ended is skipped');
});

test('cpu percent: ticks over elapsed time; null for the first reading', () => {
  assert.equal(cpuPercent(undefined, 500, 1000), null);
  assert.equal(cpuPercent(100, 150, 1000), 50);
  assert.equal(cpuPercent(100, 300, 1000), 200, 'two busy cores');
});

test('meminfo, /proc/stat and vmstat', () => {
  const mem = parseMeminfo('MemTotal:  1000 kB\nMemAvailable:  250 kB\nSwapTotal: 100 kB\nSwapFree: 40 kB\n');
  assert.deepEqual(mem, {
    memTotalBytes: 1024000,
    memAvailableBytes: 256000,
    swapTotalBytes: 102400,
    swapFreeBytes: 40960,
  });
  assert.deepEqual(parseCpuLine('cpu  10 0 10 70 10 0 0 0 0 0\ncpu0 1 2\n'), { total: 100, idle: 80 });
  assert.equal(parseOomKills('pgfault 1\noom_kill 3\n'), 3);
  assert.equal(parseOomKills('pgfault 1\n'), null);
});

test('trend: a falling series reaches zero when the line says', () => {
  const pts = [0, 1, 2, 3, 4].map((i) => ({ t: i * 1000, y: 1000 - i * 100 }));
  const tr = linearTrend(pts)!;
  assert.ok(Math.abs(tr.slope + 0.1) < 1e-9);
  assert.ok(tr.r2 > 0.999);
  assert.ok(Math.abs(timeToZeroMs(pts)! - 6000) < 1e-6);
  assert.equal(timeToZeroMs(pts.map((p) => ({ t: p.t, y: 5 }))), null, 'flat: never full');
});
