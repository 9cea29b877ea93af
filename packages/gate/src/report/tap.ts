// TAP version 13: one test point per app, with a YAML diagnostic block that
// carries every step's time and, on failure, the reason.
import type { GateReport } from '../result.ts';
import { appPassed } from '../result.ts';

function yamlString(s: string): string {
  return JSON.stringify(s);
}

export function toTap(r: GateReport): string {
  const out: string[] = ['TAP version 13', `1..${r.apps.length}`];
  r.apps.forEach((a, i) => {
    const n = i + 1;
    if (a.skipped !== undefined) {
      out.push(`ok ${n} - ${a.app} # SKIP ${a.skipped.replace(/\n/g, ' ')}`);
      return;
    }
    out.push(`${appPassed(a) ? 'ok' : 'not ok'} ${n} - ${a.app} ${a.version} (${a.rounds.length} round(s))`);
    out.push('  ---');
    for (const round of a.rounds) {
      out.push(`  round_${round.round}:`);
      for (const s of round.steps) {
        out.push(`    - step: ${s.step}`);
        out.push(`      ok: ${s.ok}`);
        out.push(`      ms: ${s.ms}`);
        out.push(`      bound_ms: ${s.boundMs}`);
        if (s.error) out.push(`      error: ${yamlString(s.error)}`);
      }
    }
    out.push('  ...');
  });
  return `${out.join('\n')}\n`;
}
