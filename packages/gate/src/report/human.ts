// The table a person reads at the end of a gate run.
import type { GateReport } from '../result.ts';
import { appPassed } from '../result.ts';

export function toHuman(r: GateReport): string {
  const lines: string[] = [];
  for (const a of r.apps) {
    if (a.skipped !== undefined) {
      lines.push(`SKIP  ${a.app}: ${a.skipped}`);
      continue;
    }
    lines.push(`${appPassed(a) ? 'PASS' : 'FAIL'}  ${a.app} ${a.version} — ${a.rounds.length} round(s)`);
    for (const round of a.rounds) {
      for (const s of round.steps) {
        const mark = s.ok ? 'ok ' : 'ERR';
        const time = `${(s.ms / 1000).toFixed(1)}s`.padStart(7);
        const bound = `(bound ${(s.boundMs / 1000).toFixed(0)}s)`;
        lines.push(
          `      ${mark} r${round.round} ${s.step.padEnd(28)} ${time} ${bound}${s.error ? `  ${s.error}` : ''}`,
        );
      }
    }
  }
  const ran = r.apps.filter((a) => a.skipped === undefined);
  const passed = ran.filter(appPassed).length;
  lines.push('');
  lines.push(`${passed} passed, ${ran.length - passed} failed, ${r.apps.length - ran.length} skipped`);
  return `${lines.join('\n')}\n`;
}
