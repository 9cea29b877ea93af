import assert from 'node:assert/strict';
import type { AppUnderTest } from '../../src/steps.ts';
import { basic, field, type RealJob, type RealJobContext } from './context.ts';

// Prometheus takes no writes by default (no remote-write receiver, no admin API): its real job is scraping.
// So the write step checks that it scrapes the exporter member over the app's network and records one sample
// it stored; the read step asks for that very sample again with a range query, which after a restart only
// the TSDB on the volume can answer.

/** A counter of the exporter's own process: one series, a value that changes from scrape to scrape. */
const SERIES = 'process_cpu_seconds_total{job="node"}';

interface Sample {
  /** Milliseconds since the epoch, as Prometheus stores it. */
  at: number;
  value: string;
}

/** The sample each marker's write recorded: Prometheus cannot store the marker itself. */
const recorded = new Map<string, Sample>();

async function api(ctx: RealJobContext, a: AppUnderTest, path: string, password?: string): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${ctx.hostPort(a, 'prometheus', 9090)}${path}`, {
    headers: { authorization: basic('archy', password ?? ctx.secret(a.manifest.id, 'password')) },
    signal: AbortSignal.timeout(30_000),
  });
  assert.equal(res.status, 200, `GET ${path}: HTTP ${res.status}`);
  const body: unknown = await res.json();
  assert.equal(field(body, 'status'), 'success', `GET ${path}: ${JSON.stringify(body).slice(0, 300)}`);
  return field(body, 'data');
}

/** The exporter target is scraped over the app's network and up: in the targets list and as up == 1. */
async function exporterUp(ctx: RealJobContext, a: AppUnderTest): Promise<void> {
  const targets = field(await api(ctx, a, '/api/v1/targets?state=active'), 'activeTargets');
  assert.ok(Array.isArray(targets), 'the targets API lists the active targets');
  const node = targets.find((t) => field(t, 'labels', 'job') === 'node');
  assert.ok(node, `a target of job "node": ${JSON.stringify(targets).slice(0, 300)}`);
  assert.equal(field(node, 'scrapeUrl'), 'http://exporter:9100/metrics', 'scraped by member name');
  assert.equal(
    field(node, 'health'),
    'up',
    `the exporter target is up (${String(field(node, 'lastError'))})`,
  );
  const up = await api(ctx, a, `/api/v1/query?query=${encodeURIComponent('up{job="node"}')}`);
  const result = field(up, 'result');
  assert.ok(Array.isArray(result) && result.length === 1, `one up series: ${JSON.stringify(up)}`);
  assert.equal(field(result[0], 'value', '1'), '1', 'up{job="node"} is 1');
}

const job: RealJob = {
  async write(ctx, a, marker) {
    const res = await fetch(`http://127.0.0.1:${ctx.hostPort(a, 'prometheus', 9090)}/api/v1/targets`, {
      headers: { authorization: basic('archy', 'wrong-password') },
      signal: AbortSignal.timeout(30_000),
    });
    assert.equal(res.status, 401, 'a wrong password is refused');
    // The TSDB Prometheus really uses lies on the app's volume.
    const target = a.manifest.containers
      .find((c) => c.name === 'prometheus')
      ?.volumes.map((v) => ('volume' in v && v.volume === 'tsdb' ? v.target : undefined))
      .find((t) => t !== undefined);
    assert.ok(target, 'the prometheus member mounts the tsdb volume');
    const path = field(await api(ctx, a, '/api/v1/status/flags'), 'storage.tsdb.path');
    assert.ok(
      typeof path === 'string' && path.startsWith(`${target}/`),
      `the TSDB (${String(path)}) is on the volume at ${target}`,
    );
    await exporterUp(ctx, a);
    // The raw samples of the last minute, with the timestamps they were stored under; keep the earliest.
    const raw = await api(ctx, a, `/api/v1/query?query=${encodeURIComponent(`${SERIES}[1m]`)}`);
    const values = field(field(raw, 'result'), '0', 'values');
    assert.ok(
      Array.isArray(values) && values.length > 0,
      `stored samples of ${SERIES}: ${JSON.stringify(raw)}`,
    );
    const first: unknown = values[0];
    const at = field(first, '0');
    const value = field(first, '1');
    assert.ok(typeof at === 'number' && typeof value === 'string', `a sample: ${JSON.stringify(first)}`);
    recorded.set(marker, { at: Math.round(at * 1000), value });
  },
  async read(ctx, a, marker) {
    const sample = recorded.get(marker);
    assert.ok(sample, `the write step recorded a sample for ${marker}`);
    // Scraping goes on (after a restart too), and the recorded sample is still what the range query returns
    // at its own timestamp (a range of one step: the latest sample at or before then is that one).
    await exporterUp(ctx, a);
    const at = (sample.at / 1000).toFixed(3);
    const range = await api(
      ctx,
      a,
      `/api/v1/query_range?query=${encodeURIComponent(SERIES)}&start=${at}&end=${at}&step=1`,
    );
    const values = field(field(range, 'result'), '0', 'values');
    if (!Array.isArray(values) || values.length !== 1) return false;
    return field(values[0], '0') === sample.at / 1000 && field(values[0], '1') === sample.value;
  },
};

export default job;
