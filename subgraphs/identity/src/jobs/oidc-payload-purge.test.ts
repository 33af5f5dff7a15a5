import { JobLease } from '@sportello/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentity, type TestIdentity } from '../test-support/harness.js';
import { OIDC_PAYLOAD_PURGE_JOB } from './oidc-payload-purge.js';

describe('the oidc-payload-purge job of a running identity', () => {
  let service: TestIdentity;
  beforeAll(async () => {
    service = await startIdentity();
  });
  afterAll(() => service?.close());

  it('is on the scheduler: identity catches up its latest slot at start', async () => {
    const deadline = Date.now() + 30_000;
    let lease = null;
    while (Date.now() < deadline) {
      lease = await service.identity.database
        .forkUnscoped()
        .findOne(JobLease, { name: OIDC_PAYLOAD_PURGE_JOB });
      if (lease?.doneSlot != null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(lease?.doneSlot).toBeInstanceOf(Date);
    // The slot it ran is a quarter hour: the job runs every 15 minutes.
    expect(lease!.doneSlot!.getTime() % (15 * 60_000)).toBe(0);
  });
});
