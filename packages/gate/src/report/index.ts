import type { GateReport } from '../result.ts';
import { toHuman } from './human.ts';
import { toJunit } from './junit.ts';
import { toTap } from './tap.ts';

export type ReportFormat = 'human' | 'tap' | 'junit' | 'json';

export function formatReport(r: GateReport, format: ReportFormat): string {
  switch (format) {
    case 'tap':
      return toTap(r);
    case 'junit':
      return toJunit(r);
    case 'json':
      return `${JSON.stringify(r, null, 2)}\n`;
    case 'human':
      return toHuman(r);
  }
}
