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
    const leaseOf = () =>
      service.identity.database.forkUnscoped().findOne(JobLease, { name: OIDC_PAYLOAD_PURGE_JOB });
    await expect.poll(async () => (await leaseOf())?.doneSlot, { timeout: 30_000 }).toBeInstanceOf(Date);
    const lease = await leaseOf();
    // The slot it ran is a quarter hour: the job runs every 15 minutes.
    expect(lease!.doneSlot!.getTime() % (15 * 60_000)).toBe(0);
  });
});
