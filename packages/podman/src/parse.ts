import type { z } from 'zod';
import { EngineError } from './errors.ts';

/** Validates an engine answer; a shape this package does not understand is an EngineError naming the operation and field. */
export function parseEngine<S extends z.ZodType>(schema: S, data: unknown, operation: string): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown shape';
  throw new EngineError(`Podman's answer to "${operation}" has an unexpected shape (${where}).`, undefined, {
    operation,
    engineMessage: where,
  });
}
