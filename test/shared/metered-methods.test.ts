/**
 * Every public method of a Durable Object is a billed request (an RPC call, an alarm run, a WebSocket event), so each
 * must be in its object's metering table: a method missing there is a DO request the usage panel never shows.
 */
import { describe, expect, it } from 'vitest';
import { QueueDO } from '../../src/queue/queue-do';
import { QUEUE_METHODS } from '../../src/queue/usage';
import { RegistryDO } from '../../src/registry/registry-do';
import { REGISTRY_METHODS } from '../../src/registry/usage';

const publicMethods = (cls: { prototype: object }) => Object.getOwnPropertyNames(cls.prototype).filter((n) => n !== 'constructor');

describe('metered methods', () => {
  it.each([
    ['QueueDO', QueueDO, QUEUE_METHODS],
    ['RegistryDO', RegistryDO, REGISTRY_METHODS],
  ] as const)('%s: every public method bills to an activity', (_name, cls, table) => {
    expect(publicMethods(cls).filter((m) => !(m in table))).toEqual([]);
  });
});
