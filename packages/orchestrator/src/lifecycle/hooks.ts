// Post-install steps, bounded: `exec` a command in a member (with a timeout),
// `copy_from_host` one file from the platform's allowlist into a volume, or
// write a templated file. Each step's failure names the step.
import { readFileSync } from 'node:fs';
import { containerName, templateContextFor } from '@archipelago/manifest';
import { HookError } from '../errors.ts';
import type { JobContext } from '../jobs/runner.ts';
import { writeTemplatedFile, writeVolumeFile } from '../runtime/files.ts';
import { renderContextFor } from '../runtime/render.ts';
import type { InstalledApp } from '../state/apps.ts';
import { type LifecycleDeps, renderInputs } from './context.ts';

export async function runPostInstall(deps: LifecycleDeps, app: InstalledApp, ctx: JobContext): Promise<void> {
  const steps = app.manifest.hooks.post_install;
  const target = {
    appId: app.id,
    dataRoot: deps.dataRoot,
    volumes: app.manifest.volumes,
    engine: deps.engine,
  };
  const tctx = () => templateContextFor(app.manifest, renderContextFor(app, renderInputs(deps)));
  for (const [index, step] of steps.entries()) {
    ctx.throwIfCancelled();
    if ('exec' in step) {
      const { container, command, timeout_secs } = step.exec;
      ctx.log(`post-install ${index + 1}: exec in ${container}: ${command[0] ?? ''}`);
      const result = await deps.engine
        .exec(containerName(app.id, container), command, { timeoutMs: timeout_secs * 1000 })
        .catch((error: unknown) => {
          throw new HookError(app.id, index, error instanceof Error ? error.message : String(error));
        });
      for (const line of `${result.stdout}${result.stderr}`.split('\n').filter(Boolean).slice(-20))
        ctx.log(`  ${line}`);
      if (result.exitCode !== 0) {
        throw new HookError(
          app.id,
          index,
          `"${command.join(' ')}" in ${container} exited with code ${result.exitCode}.`,
        );
      }
    } else if ('copy_from_host' in step) {
      const { source, volume, path } = step.copy_from_host;
      if (!deps.copyFromHostAllowlist.has(source)) {
        throw new HookError(
          app.id,
          index,
          `copying ${source} from the host is not allowed (allowed: ${[...deps.copyFromHostAllowlist].join(', ') || 'none'}).`,
        );
      }
      let content: Buffer;
      try {
        content = readFileSync(source);
      } catch (error) {
        throw new HookError(
          app.id,
          index,
          `cannot read ${source} on the host (${error instanceof Error ? error.message : String(error)}).`,
        );
      }
      // Copied verbatim: host files are data, never templates.
      await writeVolumeFile(target, { volume, path, mode: '0644' }, content).catch((error: unknown) => {
        throw new HookError(app.id, index, error instanceof Error ? error.message : String(error));
      });
      ctx.log(`post-install ${index + 1}: copied ${source} to ${volume}/${path}`);
    } else {
      await writeTemplatedFile(target, step.template, tctx()).catch((error: unknown) => {
        throw new HookError(app.id, index, error instanceof Error ? error.message : String(error));
      });
      ctx.log(`post-install ${index + 1}: wrote ${step.template.volume}/${step.template.path}`);
    }
    ctx.progress((index + 1) / steps.length);
  }
}
