import { EngineError, TimeoutError } from './errors.ts';
import type { Transport } from './http.ts';
import { StreamDemuxer } from './log-demux.ts';
import { parseEngine } from './parse.ts';
import { segment } from './request.ts';
import { ExecCreateSchema, ExecInspectSchema } from './types.ts';

export interface ExecOptions {
  env?: Record<string, string>;
  /** `uid[:gid]` or a user name inside the container. */
  user?: string;
  workingDir?: string;
  /** Deadline for the command (ms); default 60 s. */
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in a running container and captures its output and exit code. */
export async function execInContainer(
  http: Transport,
  container: string,
  command: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  if (command.length === 0) throw new RangeError(`exec in ${container}: command must not be empty`);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const operation = `run "${command.join(' ')}" in container ${container}`;
  const created = parseEngine(
    ExecCreateSchema,
    await http.json({
      method: 'POST',
      path: `/containers/${segment(container)}/exec`,
      body: {
        json: {
          AttachStdout: true,
          AttachStderr: true,
          AttachStdin: false,
          Tty: false,
          Cmd: command,
          Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
          ...(options.user ? { User: options.user } : {}),
          ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
        },
      },
      operation,
    }),
    operation,
  );

  const deadline = Date.now() + timeoutMs;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const out: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
  try {
    // The start call streams the command's multiplexed output until it exits.
    const res = await http.stream({
      method: 'POST',
      path: `/exec/${segment(created.Id)}/start`,
      body: { json: { Detach: false, Tty: false } },
      operation,
      timeoutMs,
      signal: controller.signal,
    });
    const demux = new StreamDemuxer();
    for await (const chunk of res) {
      for (const frame of demux.push(chunk as Buffer)) {
        if (frame.stream !== 'stdin') out[frame.stream].push(frame.data);
      }
    }
    // An abort can end the stream quietly instead of failing it.
    if (controller.signal.aborted) throw new Error('aborted');
  } catch (err) {
    if (controller.signal.aborted) {
      throw new TimeoutError(
        `The command "${command.join(' ')}" in container ${container} did not finish within ${Math.round(timeoutMs / 1000)} s.`,
        timeoutMs,
        {
          operation,
        },
      );
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }

  // The exit code is recorded right after the output closes; ask until it is.
  let delay = 5;
  for (;;) {
    const info = parseEngine(
      ExecInspectSchema,
      await http.json({ method: 'GET', path: `/exec/${segment(created.Id)}/json`, operation }),
      operation,
    );
    if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) {
      return {
        exitCode: info.ExitCode,
        stdout: Buffer.concat(out.stdout).toString('utf8'),
        stderr: Buffer.concat(out.stderr).toString('utf8'),
      };
    }
    if (Date.now() > deadline + 5000) {
      throw new EngineError(
        `Podman did not report the exit code of "${command.join(' ')}" in container ${container}.`,
        undefined,
        {
          operation,
        },
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
}
