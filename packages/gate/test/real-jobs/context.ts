// What a real-job check gets: the node under test and small helpers over it. One file per app in this
// folder (named by the app's id) exports its check as default; `loadRealJobs` finds them all.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { LocalNode } from '../../src/drivers/local.ts';
import type { AppUnderTest } from '../../src/steps.ts';

export interface RealJobContext {
  node: LocalNode;
  /** A generated secret of an installed app, as the platform stored it. */
  secret(appId: string, name: string): string;
  /** The host port a member publishes for a container port (from the manifest). */
  hostPort(a: AppUnderTest, member: string, containerPort: number): number;
  /** Runs a command in a member's container; fails the test unless it exits 0. Returns stdout. */
  exec(appId: string, member: string, command: string[]): Promise<string>;
}

/** An app doing what it is for, signed in with its generated credentials. */
export interface RealJob {
  /** Writes `marker` through the app. */
  write(ctx: RealJobContext, a: AppUnderTest, marker: string): Promise<void>;
  /** True when the app gives `marker` back. */
  read(ctx: RealJobContext, a: AppUnderTest, marker: string): Promise<boolean>;
}

export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The value at `keys` in parsed JSON, or undefined. */
export function field(value: unknown, ...keys: string[]): unknown {
  let at = value;
  for (const key of keys) {
    if (at === null || typeof at !== 'object' || !(key in at)) return undefined;
    at = Reflect.get(at, key);
  }
  return at;
}

/** A number from the marker, for settings that take numbers. */
export const markerNumber = (marker: string): number =>
  1000 + (Number.parseInt(createHash('sha256').update(marker).digest('hex').slice(0, 6), 16) % 9000);

/** Every `<app-id>.ts` beside this file, by app id. */
export async function loadRealJobs(): Promise<Map<string, RealJob>> {
  const jobs = new Map<string, RealJob>();
  const here = new URL('./', import.meta.url);
  for (const file of readdirSync(here).sort()) {
    if (!file.endsWith('.ts') || file === 'context.ts') continue;
    const mod: { default?: RealJob } = await import(new URL(file, here).href);
    if (!mod.default) throw new Error(`real-jobs/${file} has no default export`);
    jobs.set(file.slice(0, -'.ts'.length), mod.default);
  }
  return jobs;
}
