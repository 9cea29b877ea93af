// Installed apps, their jobs and notifications, kept current by the push
// channel. The last confirmed list is kept in localStorage so that a page
// opened while the node or its engine is down still shows what was there
// (stale, with its age), never "no apps".
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import {
  type InstalledApp,
  type Notification,
  type PushEvent,
  RPC_ENGINE_UNAVAILABLE,
  RPC_NOT_FOUND,
} from '../api/contract.ts';
import { type ChannelState, PushChannel } from '../api/events.ts';
import { call } from '../api/rpc.ts';
import { DaemonUnreachableError, messageOf, RpcError } from '../errors.ts';
import { failedInstalls as listFailedInstalls } from '../lib/failedInstalls.ts';
import {
  activeJobOf,
  applyEvent,
  applyJobs,
  applySnapshot,
  emptyLiveState,
  type LiveState,
  replayEvents,
  sortedApps,
  withApp,
} from '../lib/liveState.ts';

const CACHE_KEY = 'archy.lastKnownApps.v1';
const DISMISSED_KEY = 'archy.dismissedFailures.v1';

function readDismissed(): Set<string> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(DISMISSED_KEY) ?? '[]');
    return new Set(Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : []);
  } catch {
    return new Set();
  }
}
const ENGINE_CHECK_MS = 10_000;

function readCache(): LiveState {
  try {
    const raw = localStorage.getItem(CACHE_KEY);
    if (!raw) return emptyLiveState;
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return emptyLiveState;
    const record = parsed as { apps?: unknown; confirmedAt?: unknown };
    if (typeof record.confirmedAt !== 'number' || typeof record.apps !== 'object' || record.apps === null) {
      return emptyLiveState;
    }
    // Written by this UI from a confirmed list; only ever shown as stale,
    // with its age, until the node confirms again.
    return {
      ...emptyLiveState,
      apps: record.apps as Record<string, InstalledApp>,
      confirmedAt: record.confirmedAt,
    };
  } catch {
    return emptyLiveState;
  }
}

export const useLiveStore = defineStore('live', () => {
  const state = shallowRef<LiveState>(readCache());
  const channel = ref<ChannelState>('closed');
  const loadError = ref<string | undefined>();
  const daemonReachable = ref(true);
  const engineReachable = ref(true);
  const engineDetail = ref<string | null>(null);
  const notifications = ref<Notification[]>([]);
  const now = ref(Date.now());
  /** An app list was confirmed by the node since this page loaded. */
  const synced = ref(false);
  let ticker: ReturnType<typeof setInterval> | undefined;

  const apps = computed(() => sortedApps(state.value));
  const stale = computed(() => !synced.value || !engineReachable.value || !daemonReachable.value);
  const confirmedAt = computed(() => state.value.confirmedAt);
  const unread = computed(() => notifications.value.filter((n) => !n.acknowledged));
  const dismissed = ref(readDismissed());
  const failedInstalls = computed(() =>
    listFailedInstalls(
      Object.values(state.value.jobs),
      new Set(Object.keys(state.value.apps)),
      dismissed.value,
    ),
  );

  function dismissFailure(jobId: string): void {
    dismissed.value = new Set([...dismissed.value, jobId]);
    try {
      localStorage.setItem(DISMISSED_KEY, JSON.stringify([...dismissed.value].slice(-200)));
    } catch {
      // Only the dismissal is lost.
    }
  }

  function commit(next: LiveState): void {
    state.value = next;
    if (!synced.value) return;
    try {
      localStorage.setItem(CACHE_KEY, JSON.stringify({ apps: next.apps, confirmedAt: next.confirmedAt }));
    } catch {
      // A full or disabled storage only loses the offline fallback.
    }
  }

  function noteFailure(error: unknown): void {
    if (error instanceof DaemonUnreachableError) daemonReachable.value = false;
    if (error instanceof RpcError && error.rpcCode === RPC_ENGINE_UNAVAILABLE) engineReachable.value = false;
    loadError.value = messageOf(error);
  }

  // Refreshes overlap (the channel opening and a resync ask at once): only the
  // newest one applies its snapshot, with the events pushed since it began.
  let refreshGeneration = 0;
  let eventsSinceRefresh: PushEvent[] | undefined;

  async function refresh(): Promise<void> {
    const generation = ++refreshGeneration;
    const pushed: PushEvent[] = [];
    eventsSinceRefresh = pushed;
    try {
      const [list, jobs] = await Promise.all([call('app.list'), call('job.list', { limit: 100 })]);
      const kept = await confirmRemovals(list);
      if (generation !== refreshGeneration) return;
      daemonReachable.value = true;
      loadError.value = undefined;
      synced.value = true;
      const now = Date.now();
      const snapshot = applyJobs(applySnapshot(state.value, [...list, ...kept], now), jobs);
      const { state: next, fetch } = replayEvents(snapshot, pushed, now);
      commit(next);
      for (const id of fetch) void fetchApp(id);
    } catch (error) {
      if (generation === refreshGeneration) noteFailure(error);
    } finally {
      if (generation === refreshGeneration) eventsSinceRefresh = undefined;
    }
  }

  /**
   * An app we show that a fresh list leaves out is gone only once the node
   * says so for that app (a list taken while the node shuts down or its
   * engine stalls must not empty My Apps). Returns the apps to keep.
   */
  async function confirmRemovals(list: readonly InstalledApp[]): Promise<InstalledApp[]> {
    const listed = new Set(list.map((app) => app.id));
    const kept: InstalledApp[] = [];
    for (const [id, known] of Object.entries(state.value.apps)) {
      if (listed.has(id)) continue;
      try {
        kept.push(await call('app.get', { id }));
      } catch (error) {
        if (error instanceof RpcError && error.rpcCode === RPC_NOT_FOUND) continue;
        kept.push(known);
        noteFailure(error);
      }
    }
    return kept;
  }

  async function checkEngine(): Promise<void> {
    try {
      const info = await call('system.info');
      daemonReachable.value = true;
      engineReachable.value = info.engine.reachable;
      engineDetail.value = info.engine.detail;
    } catch (error) {
      noteFailure(error);
    }
  }

  async function refreshNotifications(): Promise<void> {
    try {
      notifications.value = await call('notification.list');
    } catch (error) {
      noteFailure(error);
    }
  }

  async function fetchApp(id: string): Promise<void> {
    try {
      commit(withApp(state.value, await call('app.get', { id })));
    } catch (error) {
      // Removed again before we asked: the removal event follows.
      if (!(error instanceof RpcError)) noteFailure(error);
    }
  }

  function onEvent(event: PushEvent): void {
    if (event.type === 'notification') {
      const rest = notifications.value.filter((n) => n.id !== event.notification.id);
      notifications.value = [event.notification, ...rest];
      return;
    }
    eventsSinceRefresh?.push(event);
    const { state: next, fetch } = applyEvent(state.value, event, Date.now());
    commit(next);
    if (fetch) void fetchApp(fetch);
  }

  const push = new PushChannel({
    onEvent,
    onState: (next) => {
      channel.value = next;
      // Without the live link, what is on screen may already be out of date.
      if (next === 'closed') daemonReachable.value = false;
      if (next === 'open') {
        daemonReachable.value = true;
        // Whatever happened while we were away: take the node's word for it.
        void refresh();
        void refreshNotifications();
      }
    },
    onResync: () => {
      void refresh();
      void refreshNotifications();
    },
  });

  function start(): void {
    push.start();
    void refresh();
    void checkEngine();
    void refreshNotifications();
    clearInterval(ticker);
    ticker = setInterval(() => {
      now.value = Date.now();
      void checkEngine();
    }, ENGINE_CHECK_MS);
  }

  function stop(): void {
    push.stop();
    clearInterval(ticker);
    ticker = undefined;
  }

  async function acknowledge(id: string): Promise<void> {
    await call('notification.ack', { id });
    notifications.value = notifications.value.map((n) => (n.id === id ? { ...n, acknowledged: true } : n));
  }

  function app(id: string): InstalledApp | undefined {
    return state.value.apps[id];
  }

  function activeJob(appId: string) {
    return activeJobOf(state.value, appId);
  }

  function stagesOf(jobId: string): string[] {
    return state.value.stages[jobId] ?? [];
  }

  return {
    state,
    apps,
    stale,
    confirmedAt,
    channel,
    loadError,
    daemonReachable,
    engineReachable,
    engineDetail,
    notifications,
    unread,
    failedInstalls,
    dismissFailure,
    now,
    synced,
    start,
    stop,
    refresh,
    acknowledge,
    app,
    activeJob,
    stagesOf,
  };
});
