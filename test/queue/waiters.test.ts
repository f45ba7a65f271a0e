/** Long polls parked in the object: a send wakes only as many as it can satisfy, and a delayed message none until due. */
import { describe, expect, it } from 'vitest';
import { Waiters } from '../../src/queue/waiters';

const settled = (promises: Promise<void>[]) => {
  const done = promises.map(() => false);
  promises.forEach((p, i) => {
    p.then(() => {
      done[i] = true;
    });
  });
  return done;
};
const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Waiters', () => {
  it('issue 10 point 11: a send wakes only the long polls it can satisfy, not every waiting ReceiveMessage', async () => {
    const waiters = new Waiters();
    const polls = [waiters.wait(5000), waiters.wait(5000), waiters.wait(5000)];
    const done = settled(polls);
    waiters.notify(1, Date.now());
    await tick();
    // One message: the longest-waiting poll only.
    expect(done).toEqual([true, false, false]);
    // A message due in 150 ms wakes one poll then, none before.
    const at = Date.now() + 150;
    waiters.notify(1, at);
    await tick();
    expect(done).toEqual([true, false, false]);
    await tick(200);
    expect(done).toEqual([true, true, false]);
    waiters.wakeAll();
    await tick();
    expect(done).toEqual([true, true, true]);
  });
});
