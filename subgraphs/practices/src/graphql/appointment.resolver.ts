import {
  BadUserInputError,
  ConnectionArgs,
  findConnection,
  requireStaff,
  type Connection,
  type Office,
  isIsoDate,
} from '@sportello/platform';
import { Arg, Args, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { citizenActor, peopleOf, requireCitizen } from '../domain/access.js';
import {
  availableSlots,
  book,
  cancel,
  citizenAppointment,
  findAppointment,
  findCalendar,
  move,
  today,
} from '../domain/appointment-operations.js';
import {
  AppointmentEntity,
  OfficeCalendarEntity,
  type Appointment,
  type OfficeCalendar,
} from '../entities/appointment.entity.js';
import type { PracticesContext } from '../context.js';
import {
  AppointmentConnectionType,
  AppointmentType,
  OfficeCalendarType,
  OpeningHoursType,
  SlotType,
} from './appointment.type.js';

function toCalendarType(calendar: OfficeCalendar): OfficeCalendarType {
  return Object.assign(new OfficeCalendarType(), {
    id: calendar.id,
    office: calendar.office,
    name: calendar.name,
    location: calendar.location,
    slotMinutes: calendar.slotMinutes,
    openingHours: calendar.openingHours.map((hours) => Object.assign(new OpeningHoursType(), hours)),
    closedDays: [...calendar.closedDays],
    timeZone: calendar.timeZone,
  });
}

function toAppointmentType(appointment: Appointment): AppointmentType {
  return Object.assign(new AppointmentType(), {
    id: appointment.id,
    calendarId: appointment.calendarId,
    office: appointment.office,
    startsAt: appointment.startsAt,
    endsAt: appointment.endsAt,
    status: appointment.status,
    practiceId: appointment.practiceId ?? null,
    cancelReason: appointment.cancelReason ?? null,
  });
}

@Resolver(() => AppointmentType)
export class AppointmentResolver {
  @Query(() => [OfficeCalendarType], {
    description: 'The comune’s office calendars, optionally of one office. Public.',
  })
  async officeCalendars(
    @Ctx() ctx: PracticesContext,
    @Arg('office', () => String, {
      nullable: true,
      description: 'Only this office’s calendars; all when omitted.',
    })
    office?: string | null,
  ): Promise<OfficeCalendarType[]> {
    const rows = await ctx.em.find(OfficeCalendarEntity, office == null ? {} : { office }, {
      orderBy: { name: 'asc' },
    });
    return rows.map(toCalendarType);
  }

  @Query(() => [SlotType], {
    description: 'The slots of a calendar over some days, with whether each is free. Public.',
  })
  async availableSlots(
    @Ctx() ctx: PracticesContext,
    @Arg('calendarId', () => ID, { description: 'Id of the calendar.' }) calendarId: string,
    @Arg('from', () => String, { nullable: true, description: 'First day, YYYY-MM-DD. @default today' })
    from?: string | null,
    @Arg('days', () => Int, { nullable: true, description: '1 to 31. @default 7' }) days?: number | null,
  ): Promise<SlotType[]> {
    const calendar = await findCalendar(ctx.em, calendarId);
    const span = days ?? 7;
    if (!Number.isInteger(span) || span < 1 || span > 31) {
      throw new BadUserInputError('days must be between 1 and 31', { field: 'days' });
    }
    const first = from ?? today(ctx.now, calendar.timeZone);
    if (!isIsoDate(first)) {
      throw new BadUserInputError(`from must be a real day, YYYY-MM-DD (${first} is not one)`, {
        field: 'from',
      });
    }
    const slots = await availableSlots(ctx.em, calendar, first, span, ctx.now);
    return slots.map((slot) => Object.assign(new SlotType(), slot));
  }

  @Query(() => AppointmentConnectionType, {
    description: 'The caller’s appointments (and those of people they act for), soonest first.',
  })
  async myAppointments(
    @Ctx() ctx: PracticesContext,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<Connection<AppointmentType>> {
    const people = peopleOf(requireCitizen(ctx.principal));
    return findConnection(
      ctx.em,
      AppointmentEntity,
      { citizenFiscalCode: { $in: people } },
      {
        // Soonest first; the id breaks ties between people acting for each other.
        order: [
          ['startsAt', 'asc'],
          ['id', 'asc'],
        ],
        first,
        after,
        toNode: toAppointmentType,
      },
    );
  }

  @Mutation(() => AppointmentType, {
    description: 'Books a free slot. CONFLICT (reason SLOT_TAKEN) when someone else booked it first.',
  })
  async bookAppointment(
    @Ctx() ctx: PracticesContext,
    @Arg('calendarId', () => ID, { description: 'Id of the calendar.' }) calendarId: string,
    @Arg('startsAt', { description: 'Start of a free slot, as given by availableSlots.' }) startsAt: Date,
    @Arg('practiceId', () => ID, {
      nullable: true,
      description: 'The practice the appointment is about, if any.',
    })
    practiceId?: string | null,
  ): Promise<AppointmentType> {
    const caller = requireCitizen(ctx.principal);
    const actor = await citizenActor(ctx.em, ctx.comune, caller);
    return toAppointmentType(
      await book(ctx.em, ctx.comune, caller, actor, { calendarId, startsAt, practiceId }, ctx.now),
    );
  }

  @Mutation(() => AppointmentType, {
    description: 'Moves your appointment to another free slot of the same calendar.',
  })
  async moveAppointment(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the appointment.' }) id: string,
    @Arg('startsAt', { description: 'Start of the new free slot.' }) startsAt: Date,
  ): Promise<AppointmentType> {
    const caller = requireCitizen(ctx.principal);
    const appointment = await citizenAppointment(ctx.em, caller, id);
    const actor = await citizenActor(ctx.em, ctx.comune, caller);
    return toAppointmentType(await move(ctx.em, appointment, actor, startsAt, ctx.now));
  }

  @Mutation(() => AppointmentType, {
    description: 'Cancels an appointment: the citizen’s own, or any of the office for its staff.',
  })
  async cancelAppointment(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the appointment.' }) id: string,
    @Arg('reason', () => String, { nullable: true, description: 'Why it is cancelled, if stated.' })
    reason?: string | null,
  ): Promise<AppointmentType> {
    if (ctx.principal.kind === 'staff') {
      const appointment = await findAppointment(ctx.em, id);
      const staff = requireStaff(ctx.principal, appointment.office as Office);
      return toAppointmentType(
        await cancel(ctx.em, appointment, 'staff', { kind: 'staff', id: staff.username }, reason, ctx.now),
      );
    }
    const caller = requireCitizen(ctx.principal);
    const appointment = await citizenAppointment(ctx.em, caller, id);
    const actor = await citizenActor(ctx.em, ctx.comune, caller);
    return toAppointmentType(await cancel(ctx.em, appointment, 'citizen', actor, reason, ctx.now));
  }
}
