// A small argument parser shared by the daemon commands: positionals, boolean
// flags, flags with a value (repeatable ones collect into a list). Unknown
// flags are a usage error that names the flag.
import { CliError } from '../errors.ts';

export interface ArgSpec {
  usage: string;
  booleans?: string[];
  values?: string[];
  lists?: string[];
  /** Exactly this many positionals (or a range [min, max]). */
  positionals?: number | [number, number];
}

export interface Parsed {
  positionals: string[];
  flags: Record<string, boolean>;
  values: Record<string, string | undefined>;
  lists: Record<string, string[]>;
  json: boolean;
  help: boolean;
}

export function parseArgs(args: readonly string[], spec: ArgSpec): Parsed {
  const booleans = new Set(['json', 'help', ...(spec.booleans ?? [])]);
  const values = new Set(spec.values ?? []);
  const lists = new Set(spec.lists ?? []);
  const out: Parsed = { positionals: [], flags: {}, values: {}, lists: {}, json: false, help: false };
  for (const l of lists) out.lists[l] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h') {
      out.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      out.positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (booleans.has(name)) {
      out.flags[name] = true;
      continue;
    }
    if (values.has(name) || lists.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined)
        throw new CliError('usage', `--${name} needs a value\nusage: ${spec.usage}`, 2);
      if (lists.has(name)) out.lists[name]!.push(value);
      else out.values[name] = value;
      continue;
    }
    throw new CliError('usage', `unknown option --${name}\nusage: ${spec.usage}`, 2);
  }
  out.json = out.flags['json'] === true;
  out.help = out.help || out.flags['help'] === true;
  if (!out.help && spec.positionals !== undefined) {
    const [min, max] =
      typeof spec.positionals === 'number' ? [spec.positionals, spec.positionals] : spec.positionals;
    if (out.positionals.length < min || out.positionals.length > max) {
      throw new CliError('usage', `usage: ${spec.usage}`, 2);
    }
  }
  return out;
}

export function intValue(parsed: Parsed, name: string, fallback: number): number {
  const raw = parsed.values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError('usage', `--${name} must be a positive whole number, not "${raw}"`, 2);
  return n;
}
