import type { Database } from '@sportello/platform';
import { SILENT_APPROVAL_DAYS } from '../domain/residence-change.js';
import { changeResidenceStatus } from '../domain/residence-change-operations.js';
import { ResidenceChangeEntity } from '../entities/residence-change.entity.js';
import { addDays, type IsoDate } from '@sportello/platform';

/**
 * Accepts, by silence, registered declarations older than 45 days that got no outcome, in every
 * comune of the database, each in its own transaction with its `residence-change.status-changed`
 * event. Running it again the same day finds nothing left to do.
 *
 * @returns how many declarations were accepted
 */
export async function runSilentApprovalJob(
  database: Database,
  options: { today: IsoDate; now?: Date },
): Promise<number> {
  const now = options.now ?? new Date();
  const due = await database
    .forkUnscoped()
    .find(
      ResidenceChangeEntity,
      { status: 'registered', declaredOn: { $lt: addDays(options.today, -SILENT_APPROVAL_DAYS) } },
      { orderBy: { declaredOn: 'asc' }, fields: ['id', 'comune'] },
    );
  let accepted = 0;
  for (const change of due) {
    const em = database.fork({ comune: change.comune });
    await em.transactional((tx) =>
      changeResidenceStatus(
        tx,
        change.id,
        'silentApproval',
        { kind: 'system', id: 'silent-approval' },
        options.today,
        now,
      ),
    );
    accepted += 1;
  }
  return accepted;
}
