// One line of /proc/<pid>/stat, read the one safe way: the command name is in parentheses and may itself
// hold spaces and parentheses, so the fields after it are counted from the last ")".

export interface ProcStat {
  /** The command name (`comm`), at most 15 characters. */
  comm: string;
  /** The state letter: R, S, D, Z (zombie), X (dead), … */
  state: string;
  ppid: number;
}

export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  return { comm: text.slice(text.indexOf('(') + 1, close), state: rest[0] ?? '', ppid: Number(rest[1]) };
}

/** True for a process that has ended but not been reaped, or is being torn down. */
export function isZombie(stat: ProcStat): boolean {
  return stat.state === 'Z' || stat.state === 'X';
}
