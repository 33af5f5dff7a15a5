import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import {
  activeAlerts,
  alertAudience,
  cancelAlert,
  findAlert,
  issueAlert,
  updateAlert,
  type AlertChanges,
} from '../domain/alert-operations.js';
import { requireCivilProtectionStaff, type CivilProtectionContext } from '../context.js';
import { alertNotFound } from '../errors.js';
import { toAlertType, toAlertZoneType } from './alert.mapper.js';
import { AlertAudienceType, AlertType, AlertZoneType } from './alert.type.js';
import { IssueAlertInput, UpdateAlertInput } from './alert.input.js';

/** `__resolveReference` of Alert: any alert of the caller's comune, or null. */
export async function resolveAlertReference(
  reference: { id: string },
  ctx: CivilProtectionContext,
): Promise<AlertType | null> {
  const alert = await findAlert(ctx.em, reference.id);
  return alert === null ? null : toAlertType(alert, ctx.now);
}

/** Drops `undefined` so an update only carries the fields the client sent. */
function changesOf(input: UpdateAlertInput): AlertChanges {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as AlertChanges;
}

@Resolver(() => AlertType)
export class AlertResolver {
  @Query(() => [AlertType], {
    description: 'Alerts not cancelled and not over (including ones starting later), soonest first. Public.',
  })
  async activeAlerts(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('zoneCode', () => String, { nullable: true, description: 'Only alerts reaching this zone.' })
    zoneCode?: string | null,
  ): Promise<AlertType[]> {
    return (await activeAlerts(ctx.em, ctx.now, zoneCode)).map((alert) => toAlertType(alert, ctx.now));
  }

  @Query(() => AlertType, { nullable: true, description: 'One alert, whatever its status. Public.' })
  async alert(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('id', () => ID, { description: 'Id of the alert.' }) id: string,
  ): Promise<AlertType | null> {
    return resolveAlertReference({ id }, ctx);
  }

  @Query(() => AlertAudienceType, {
    description:
      'The zone codes whose residents an alert concerns (every zone for a whole-comune alert). ' +
      'The notifier resolves residents from these codes through anagrafe.',
  })
  async alertAudienceZones(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('alertId', () => ID, { description: 'Id of the alert.' }) alertId: string,
  ): Promise<AlertAudienceType> {
    const alert = await findAlert(ctx.em, alertId);
    if (alert === null) throw alertNotFound(alertId);
    const audience = await alertAudience(ctx.em, alert);
    return Object.assign(new AlertAudienceType(), { alertId, ...audience });
  }

  @Query(() => [AlertZoneType], { description: 'The comune’s alert zones. Public.' })
  async alertZones(@Ctx() ctx: CivilProtectionContext): Promise<AlertZoneType[]> {
    return (await ctx.zones()).map(toAlertZoneType);
  }

  @FieldResolver(() => [AlertZoneType], {
    description: 'The zones concerned (every zone for the whole comune).',
  })
  async zones(@Root() alert: AlertType, @Ctx() ctx: CivilProtectionContext): Promise<AlertZoneType[]> {
    const zones = await ctx.zones();
    const wanted = new Set(alert.zoneCodes);
    return zones.filter((zone) => alert.wholeComune || wanted.has(zone.code)).map(toAlertZoneType);
  }

  @Mutation(() => AlertType, { description: 'Issues an alert. Civil-protection staff only.' })
  async issueAlert(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('input', () => IssueAlertInput, { description: 'The alert to issue.' }) input: IssueAlertInput,
  ): Promise<AlertType> {
    const actor = requireCivilProtectionStaff(ctx);
    const alert = await issueAlert(ctx.em, ctx.principal.comune, actor, input, ctx.now);
    return toAlertType(alert, ctx.now);
  }

  @Mutation(() => AlertType, { description: 'Changes an active alert. Civil-protection staff only.' })
  async updateAlert(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('id', () => ID, { description: 'Id of the alert.' }) id: string,
    @Arg('input', () => UpdateAlertInput, { description: 'The fields to change.' }) input: UpdateAlertInput,
  ): Promise<AlertType> {
    const actor = requireCivilProtectionStaff(ctx);
    return toAlertType(await updateAlert(ctx.em, id, actor, changesOf(input), ctx.now), ctx.now);
  }

  @Mutation(() => AlertType, { description: 'Withdraws an active alert. Civil-protection staff only.' })
  async cancelAlert(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('id', () => ID, { description: 'Id of the alert.' }) id: string,
    @Arg('reason', { description: 'Why the alert is withdrawn, shown with it.' }) reason: string,
  ): Promise<AlertType> {
    const actor = requireCivilProtectionStaff(ctx);
    return toAlertType(await cancelAlert(ctx.em, id, actor, reason, ctx.now), ctx.now);
  }
}
