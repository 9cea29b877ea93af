// JUnit XML: a testsuite per app, a testcase per step and round, as CI
// dashboards expect.
import type { GateReport } from '../result.ts';

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function toJunit(r: GateReport): string {
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let skipped = 0;
  for (const a of r.apps) {
    const cases: string[] = [];
    if (a.skipped !== undefined) {
      cases.push(
        `    <testcase classname="gate.${esc(a.app)}" name="lifecycle"><skipped message="${esc(a.skipped)}"/></testcase>`,
      );
      total += 1;
      skipped += 1;
    }
    let suiteFailures = 0;
    for (const round of a.rounds) {
      for (const s of round.steps) {
        total += 1;
        const name = `round ${round.round}: ${s.step}`;
        const time = (s.ms / 1000).toFixed(3);
        if (s.ok) {
          cases.push(`    <testcase classname="gate.${esc(a.app)}" name="${esc(name)}" time="${time}"/>`);
        } else {
          failures += 1;
          suiteFailures += 1;
          const msg = s.error ?? 'failed';
          cases.push(
            `    <testcase classname="gate.${esc(a.app)}" name="${esc(name)}" time="${time}"><failure message="${esc(msg)}">${esc(msg)}</failure></testcase>`,
          );
        }
      }
    }
    const count = a.rounds.reduce((n, rr) => n + rr.steps.length, 0) + (a.skipped !== undefined ? 1 : 0);
    suites.push(
      `  <testsuite name="${esc(a.app)}" tests="${count}" failures="${suiteFailures}" skipped="${a.skipped !== undefined ? 1 : 0}">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="archy gate" tests="${total}" failures="${failures}" skipped="${skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
}
