import { PRACTICE_STATUSES, REPORT_STATUSES } from '@sportello/schema';
import { registerEnumType } from 'type-graphql';
import { PRACTICE_ACTIONS } from '../domain/workflow.js';

/** GraphQL enum values (`TAKEN_IN_CHARGE`) mapped to the domain's dashed values. */
function enumOf<T extends string>(values: readonly T[]): Record<string, T> {
  return Object.fromEntries(values.map((value) => [value.toUpperCase().replace(/-/g, '_'), value]));
}

export const PracticeStatusEnum = enumOf(PRACTICE_STATUSES);
export const PracticeActionEnum = enumOf(PRACTICE_ACTIONS);
export const ReportStatusEnum = enumOf(REPORT_STATUSES);
export const ActorKindEnum = enumOf(['citizen', 'staff', 'client', 'system'] as const);
export const MessageAuthorEnum = enumOf(['citizen', 'staff'] as const);
export const AppointmentStatusEnum = enumOf(['booked', 'cancelled'] as const);

registerEnumType(PracticeStatusEnum, {
  name: 'PracticeStatus',
  description:
    'Where a practice is. DRAFT until submitted; SUBMITTED then REGISTERED (protocol number); TAKEN_IN_CHARGE ' +
    'by the office; INTEGRATION_REQUESTED / INTEGRATION_ANSWERED / SUBMITTED_AFTER_INTEGRATION while the ' +
    'office waits for more documents; PROCESSING; final: ACCEPTED, REJECTED, WITHDRAWN.',
});
registerEnumType(PracticeActionEnum, {
  name: 'PracticeAction',
  description: 'A step of the practice workflow (each mutation performs one or more).',
});
registerEnumType(ReportStatusEnum, { name: 'ReportStatus', description: 'Where a citizen report is.' });
registerEnumType(ActorKindEnum, { name: 'PracticeActorKind' });
registerEnumType(MessageAuthorEnum, { name: 'PracticeMessageAuthor' });
registerEnumType(AppointmentStatusEnum, { name: 'AppointmentStatus' });
