/**
 * What the dashboard's buttons do. Each goes through the SQS action table, so a dashboard send is an SQS send
 * (same validation, same errors), and returns the notice to show.
 */
import type { Env } from '../env';
import { actions } from '../protocol/actions';
import { queueArn, queueUrl } from '../shared/names';
import { registryObject } from '../shared/rpc';

/** The queue a button acts on, and the origin its queue URL is on. */
export interface Target {
  env: Env;
  origin: string;
  name: string;
}

export async function purgeQueue({ env, origin, name }: Target): Promise<string> {
  await actions.PurgeQueue({ env, origin }, { QueueUrl: queueUrl(origin, env.AWS_ACCOUNT_ID, name) });
  return 'Queue purged.';
}

/** The form's body; a FIFO queue gets the form's group (or "dashboard") and a fresh deduplication id, others the delay. */
export async function sendTestMessage({ env, origin, name }: Target, form: Record<string, unknown>): Promise<string> {
  const input: Record<string, unknown> = { QueueUrl: queueUrl(origin, env.AWS_ACCOUNT_ID, name), MessageBody: String(form.body ?? '') };
  if (name.endsWith('.fifo')) {
    input.MessageGroupId = String(form.group || 'dashboard');
    input.MessageDeduplicationId = crypto.randomUUID();
  } else if (form.delay) input.DelaySeconds = Number(form.delay);
  const result = await actions.SendMessage({ env, origin }, input);
  return `Sent message ${result?.MessageId}.`;
}

export async function redriveDeadLetters({ env, origin, name }: Target): Promise<string> {
  await actions.StartMessageMoveTask({ env, origin }, { SourceArn: queueArn(env, name) });
  return 'Redrive started: messages move back to their source queues.';
}

/** Sync now: what it learnt, with its warnings, or why it failed. */
export async function syncNow(env: Env): Promise<{ kind: 'notice' | 'error'; text: string }> {
  const result = await registryObject(env).sync();
  if (!result.ok) return { kind: 'error', text: `Sync failed: ${result.error}` };
  const warnings = result.warnings.length ? ` Warnings: ${result.warnings.join('; ')}` : '';
  return { kind: 'notice', text: `Synced: ${result.functions} functions, ${result.mappings} SQS mappings.${warnings}` };
}
