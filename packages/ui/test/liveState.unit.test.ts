import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstalledApp, Job, PushEvent } from '../src/api/contract.ts';
import {
  activeJobOf,
  applyEvent,
  applyJobs,
  applySnapshot,
  emptyLiveState,
  mergeJob,
  replayEvents,
  sortedApps,
} from '../src/lib/liveState.ts';
import { failedInstalls } from '../src/lib/failedInstalls.ts';

function app(id: string, state: InstalledApp['state'] = 'running', name = id): InstalledApp {
  return {
    id,
    name,
    version: '1.0.0',
    intent: 'running',
    state,
    stateDetail: null,
    grants: [],
    source: 'shipped',
    installedAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    manifest: { name, containers: [], permissions: [] } as unknown as InstalledApp['manifest'],
    security: { score: 6, base: 6, reasons: [] } as unknown as InstalledApp['security'],
  };
}

function job(over: Partial<Job> = {}): Job {
  return {
    id: 'j1',
    appId: 'web',
    kind: 'install',
    state: 'running',
    stage: 'build images',
    stages: ['prepare', 'build images', 'start'],
    percent: 40,
    error: null,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    finishedAt: null,
    ...over,
  };
}

const at = '2026-01-01T00:01:00Z';

describe('applyEvent', () => {
  it('removes an app from the list when its state becomes null (uninstalled)', () => {
    const state = applySnapshot(emptyLiveState, [app('web'), app('db')], 1);
    const event: PushEvent = {
      seq: 2,
      boot: 'b1',
      type: 'app-state',
      appId: 'web',
      state: null,
      detail: null,
      at,
    };
    const next = applyEvent(state, event, 2).state;
    assert.deepEqual(Object.keys(next.apps), ['db']);
  });

  it('updates the state and detail of a known app', () => {
    const state = applySnapshot(emptyLiveState, [app('web')], 1);
    const event: PushEvent = {
      seq: 3,
      boot: 'b1',
      type: 'app-state',
      appId: 'web',
      state: 'failed',
      detail: 'exited with code 1',
      at,
    };
    const next = applyEvent(state, event, 5).state;
    assert.equal(next.apps['web']?.state, 'failed');
    assert.equal(next.apps['web']?.stateDetail, 'exited with code 1');
    assert.equal(next.confirmedAt, 5);
  });

  it('asks to fetch an app it does not know yet, without inventing one', () => {
    const event: PushEvent = {
      seq: 1,
      boot: 'b1',
      type: 'app-state',
      appId: 'new',
      state: 'installing',
      detail: null,
      at,
    };
    const result = applyEvent(emptyLiveState, event, 1);
    assert.equal(result.fetch, 'new');
    assert.deepEqual(result.state.apps, {});
  });

  it('never moves a job percentage back, and records each stage once in order', () => {
    let state = emptyLiveState;
    for (const [stage, percent] of [
      ['prepare', 5],
      ['build images', 40],
      ['build images', 30],
      ['start', 80],
    ] as const) {
      state = applyEvent(
        state,
        { seq: 1, boot: 'b1', type: 'job-progress', job: job({ stage, percent }) },
        1,
      ).state;
    }
    assert.equal(state.jobs['j1']?.percent, 80);
    assert.deepEqual(state.stages['j1'], ['prepare', 'build images', 'start']);
  });

  it('asks for the app again when its job ends: an update changes more than the state', () => {
    const known = applySnapshot(emptyLiveState, [app('web')], 1);
    const ended = (state: Job['state']) =>
      applyEvent(known, { seq: 1, boot: 'b1', type: 'job-progress', job: job({ state, kind: 'update' }) }, 2);
    assert.equal(ended('succeeded').fetch, 'web');
    assert.equal(ended('failed').fetch, 'web');
    assert.equal(ended('running').fetch, undefined, 'not while it runs');
    const unknown = applyEvent(
      emptyLiveState,
      { seq: 1, boot: 'b1', type: 'job-progress', job: job({ state: 'succeeded' }) },
      2,
    );
    assert.equal(unknown.fetch, undefined, 'an app the page does not show is not fetched');
  });

  it('does not revive a finished job from a late replay', () => {
    let state = applyEvent(
      emptyLiveState,
      { seq: 1, boot: 'b1', type: 'job-progress', job: job({ state: 'succeeded', percent: 100 }) },
      1,
    ).state;
    state = applyEvent(
      state,
      { seq: 2, boot: 'b1', type: 'job-progress', job: job({ state: 'running', percent: 50 }) },
      2,
    ).state;
    assert.equal(state.jobs['j1']?.state, 'succeeded');
    assert.equal(activeJobOf(state, 'web'), undefined);
  });
});

describe('mergeJob', () => {
  it('clamps a first report into 0–100', () => {
    assert.equal(mergeJob(undefined, job({ percent: 250 })).percent, 100);
  });
});

describe('applySnapshot and activeJobOf', () => {
  it('replaces the list: an app missing from a fresh list is gone', () => {
    const state = applySnapshot(applySnapshot(emptyLiveState, [app('a'), app('b')], 1), [app('b')], 2);
    assert.deepEqual(Object.keys(state.apps), ['b']);
    assert.equal(state.confirmedAt, 2);
  });

  it('finds the newest running job of an app', () => {
    const state = applyJobs(emptyLiveState, [
      job({ id: 'old', state: 'failed', createdAt: '2026-01-01T00:00:00Z' }),
      job({ id: 'now', state: 'running', createdAt: '2026-01-02T00:00:00Z' }),
      job({ id: 'other', appId: 'db', state: 'running' }),
    ]);
    assert.equal(activeJobOf(state, 'web')?.id, 'now');
  });

  it('sorts apps by name', () => {
    const state = applySnapshot(
      emptyLiveState,
      [app('z', 'running', 'Zeta'), app('a', 'running', 'alpha')],
      1,
    );
    assert.deepEqual(
      sortedApps(state).map((a) => a.id),
      ['a', 'z'],
    );
  });
});

describe('replayEvents', () => {
  const stateEvent = (seq: number, appId: string, state: InstalledApp['state'] | null): PushEvent => ({
    seq,
    boot: 'b2',
    type: 'app-state',
    appId,
    state,
    detail: null,
    at: `t${seq}`,
  });

  it('a snapshot that answers after newer events does not undo them', () => {
    // The list was read while the app was starting; "running" was pushed before the answer came.
    const shown = applyEvent(
      applySnapshot(emptyLiveState, [app('web', 'starting')], 1),
      stateEvent(7, 'web', 'running'),
      2,
    ).state;
    assert.equal(shown.apps['web']?.state, 'running');
    const late = applySnapshot(shown, [app('web', 'starting')], 3);
    const { state, fetch } = replayEvents(late, [stateEvent(7, 'web', 'running')], 3);
    assert.equal(state.apps['web']?.state, 'running');
    assert.deepEqual(fetch, []);
  });

  it('applies the events in order, so the last word on each app wins, removals included', () => {
    const snapshot = applySnapshot(emptyLiveState, [app('web', 'running'), app('db', 'running')], 1);
    const { state } = replayEvents(
      snapshot,
      [stateEvent(1, 'web', 'stopping'), stateEvent(2, 'web', 'stopped'), stateEvent(3, 'db', null)],
      2,
    );
    assert.equal(state.apps['web']?.state, 'stopped');
    assert.equal(state.apps['db'], undefined);
  });

  it('names an app the snapshot did not have yet, to be fetched', () => {
    const snapshot = applySnapshot(emptyLiveState, [], 1);
    assert.deepEqual(replayEvents(snapshot, [stateEvent(1, 'new', 'installing')], 2).fetch, ['new']);
    // Installed then removed again while the list was on its way: nothing to fetch.
    assert.deepEqual(
      replayEvents(snapshot, [stateEvent(1, 'new', 'installing'), stateEvent(2, 'new', null)], 2).fetch,
      [],
    );
  });
});

describe('failedInstalls', () => {
  it('keeps the newest failed install of each app that is not installed and not dismissed', () => {
    const jobs = [
      job({ id: 'a1', appId: 'a', state: 'failed', createdAt: '2026-01-01T00:00:00Z' }),
      job({ id: 'a2', appId: 'a', state: 'failed', createdAt: '2026-01-02T00:00:00Z' }),
      job({ id: 'b1', appId: 'b', state: 'failed' }),
      job({ id: 'c1', appId: 'c', state: 'failed' }),
      job({ id: 'c2', appId: 'c', state: 'succeeded', createdAt: '2026-01-03T00:00:00Z' }),
      job({ id: 'd1', appId: 'd', state: 'failed', kind: 'start' }),
      job({ id: 'e1', appId: 'e', state: 'failed' }),
    ];
    const shown = failedInstalls(jobs, new Set(['b']), new Set(['e1']));
    assert.deepEqual(
      shown.map((j) => j.id),
      ['a2'],
    );
  });
});
