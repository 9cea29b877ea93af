// Checks a push-channel message before it reaches the stores. Pure.
import type { PushMessage } from './contract.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns the message, or a string saying which field is wrong. */
export function parsePushMessage(text: string): PushMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'message is not JSON';
  }
  if (!isRecord(value)) return 'message is not an object';
  if (typeof value['seq'] !== 'number' || !Number.isInteger(value['seq']))
    return 'field "seq" is not an integer';
  if (typeof value['boot'] !== 'string') return 'field "boot" is not a string';
  const type = value['type'];
  switch (type) {
    case 'resync':
      break;
    case 'app-state':
      if (typeof value['appId'] !== 'string') return 'field "appId" of an app-state event is not a string';
      if (value['state'] !== null && typeof value['state'] !== 'string') {
        return 'field "state" of an app-state event is neither a state nor null';
      }
      break;
    case 'job-progress': {
      const job = value['job'];
      if (!isRecord(job)) return 'field "job" of a job-progress event is not an object';
      if (typeof job['id'] !== 'string' || typeof job['appId'] !== 'string')
        return 'field "job.id" or "job.appId" is not a string';
      if (typeof job['percent'] !== 'number') return 'field "job.percent" is not a number';
      if (typeof job['state'] !== 'string') return 'field "job.state" is not a string';
      break;
    }
    case 'notification':
      if (!isRecord(value['notification'])) return 'field "notification" is not an object';
      break;
    default:
      return `field "type" is ${JSON.stringify(type)}, not a known event`;
  }
  // The fields the UI branches on were checked above; the rest of the payload
  // is the daemon's typed contract.
  return value as PushMessage;
}
