import { GraphQLJSONObject } from 'graphql-scalars';
import { ConnectionArgs, connectionFromArray, withNodes, type Connection } from '@sportello/platform';
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import {
  activeAlerts,
  alertAudience,
  cancelAlert,
  findAlert,
  issueAlert,
  listAlerts,
  updateAlert,
  type AlertChanges,
} from '../domain/alert-operations.js';
import type { AlertColour, Hazard } from '../domain/alert.js';
import { importZones } from '../domain/zones.js';
import type { CivilProtectionContext } from '../context.js';
import { requireCivilProtectionStaff } from '../domain/access.js';
import { alertNotFound } from '../errors.js';
import { ATOM_CONTENT_TYPE } from '../http/feeds/cap.js';
import {
  alertsIndexUrl,
  alertZonesUrl,
  emergencyAreasUrl,
  ordinancesIndexUrl,
} from '../http/feeds/feed-urls.js';
import { GEOJSON_CONTENT_TYPE } from '../http/feeds/geojson.js';
import { toAlertType, toAlertZoneType } from './alert.mapper.js';
import {
  AlertAudienceType,
  AlertConnectionType,
  AlertType,
  AlertZoneType,
  OpenDataFeedType,
} from './alert.type.js';
import { IssueAlertInput, UpdateAlertInput } from './alert.input.js';
import { AlertColourEnum, HazardEnum } from './enums.js';

/** `__resolveReference` of Alert: any alert of the caller's comune, or null. */
export async function resolveAlertReference(
  reference: { id: string },
  ctx: CivilProtectionContext,
): Promise<AlertType | null> {
  const alert = await findAlert(ctx.em, reference.id);
  return alert === null ? null : toAlertType(alert, ctx.now, ctx.publicUrl);
}

/** Drops `undefined` so an update only carries the fields the client sent. */
function changesOf(input: UpdateAlertInput): AlertChanges {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as AlertChanges;
}

@Resolver(() => AlertType)
export class AlertResolver {
  @Query(() => AlertConnectionType, {
    description:
      'Alerts not cancelled and not over (including ones starting later), soonest first, optionally only ' +
      'some colours, hazards or one zone. Public.',
  })
  async activeAlerts(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('zoneCode', () => String, { nullable: true, description: 'Only alerts reaching this zone.' })
    zoneCode: string | null,
    @Arg('colours', () => [AlertColourEnum], {
      nullable: true,
      description: 'Only alerts of these colours, e.g. [ORANGE, RED].',
    })
    colours: AlertColour[] | null,
    @Arg('hazards', () => [HazardEnum], { nullable: true, description: 'Only alerts about these hazards.' })
    hazards: Hazard[] | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
  ): Promise<Connection<AlertType>> {
    // Soonest first, as read; the id keys the cursor.
    const page = connectionFromArray(
      await activeAlerts(ctx.em, ctx.now, { zoneCode, colours, hazards }),
      args,
      (alert) => [alert.id],
    );
    return withNodes(
      page,
      page.nodes.map((alert) => toAlertType(alert, ctx.now, ctx.publicUrl)),
    );
  }

  @Query(() => AlertConnectionType, {
    description:
      'Every alert of the comune, whatever its status (active, expired, cancelled), latest issued first, ' +
      'optionally only some colours, hazards, one zone or those issued after a time. Public.',
  })
  async alerts(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('zoneCode', () => String, { nullable: true, description: 'Only alerts reaching this zone.' })
    zoneCode: string | null,
    @Arg('colours', () => [AlertColourEnum], { nullable: true, description: 'Only alerts of these colours.' })
    colours: AlertColour[] | null,
    @Arg('hazards', () => [HazardEnum], { nullable: true, description: 'Only alerts about these hazards.' })
    hazards: Hazard[] | null,
    @Arg('issuedAfter', () => Date, { nullable: true, description: 'Only alerts issued after this time.' })
    issuedAfter: Date | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
  ): Promise<Connection<AlertType>> {
    // Latest issued first, as read; the id keys the cursor.
    const page = connectionFromArray(
      await listAlerts(ctx.em, { zoneCode, colours, hazards, issuedAfter }),
      args,
      (alert) => [alert.id],
    );
    return withNodes(
      page,
      page.nodes.map((alert) => toAlertType(alert, ctx.now, ctx.publicUrl)),
    );
  }

  @Query(() => [OpenDataFeedType], {
    description: 'The comune’s civil-protection open data feeds (CAP/Atom, GeoJSON), absolute URLs. Public.',
  })
  openDataFeeds(@Ctx() ctx: CivilProtectionContext): OpenDataFeedType[] {
    const { publicUrl, comune } = ctx;
    return [
      {
        title: 'Allerte (Atom, ogni voce rimanda al documento CAP 1.2)',
        url: alertsIndexUrl(publicUrl, comune),
        mediaType: ATOM_CONTENT_TYPE,
      },
      {
        title: 'Zone di allerta (GeoJSON)',
        url: alertZonesUrl(publicUrl, comune),
        mediaType: GEOJSON_CONTENT_TYPE,
      },
      {
        title: 'Aree di emergenza (GeoJSON)',
        url: emergencyAreasUrl(publicUrl, comune),
        mediaType: GEOJSON_CONTENT_TYPE,
      },
      {
        title: 'Ordinanze (Atom, documenti come allegati)',
        url: ordinancesIndexUrl(publicUrl, comune),
        mediaType: ATOM_CONTENT_TYPE,
      },
    ].map((feed) =>
      Object.assign(new OpenDataFeedType(), { ...feed, mediaType: feed.mediaType.split(';')[0]! }),
    );
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

  @Mutation(() => [AlertZoneType], {
    description:
      'Imports the comune’s alert zones from a GeoJSON FeatureCollection: one Feature per zone with ' +
      'properties code, name, optional regionalAlertZone (e.g. "Piem-M") and description, and a Polygon or ' +
      'MultiPolygon geometry with closed rings ([longitude, latitude]; rings are rewound to the right-hand ' +
      'rule). Known codes are updated, new ones added, others kept. Returns every zone. Civil-protection staff only.',
  })
  async importAlertZones(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('featureCollection', () => GraphQLJSONObject, { description: 'A GeoJSON FeatureCollection.' })
    featureCollection: Record<string, unknown>,
  ): Promise<AlertZoneType[]> {
    requireCivilProtectionStaff(ctx);
    return (await importZones(ctx.em, ctx.principal.comune, featureCollection)).map(toAlertZoneType);
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
    ctx.alertChanged();
    return toAlertType(alert, ctx.now, ctx.publicUrl);
  }

  @Mutation(() => AlertType, { description: 'Changes an active alert. Civil-protection staff only.' })
  async updateAlert(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('id', () => ID, { description: 'Id of the alert.' }) id: string,
    @Arg('input', () => UpdateAlertInput, { description: 'The fields to change.' }) input: UpdateAlertInput,
  ): Promise<AlertType> {
    const actor = requireCivilProtectionStaff(ctx);
    const alert = await updateAlert(ctx.em, id, actor, changesOf(input), ctx.now);
    ctx.alertChanged();
    return toAlertType(alert, ctx.now, ctx.publicUrl);
  }

  @Mutation(() => AlertType, { description: 'Withdraws an active alert. Civil-protection staff only.' })
  async cancelAlert(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('id', () => ID, { description: 'Id of the alert.' }) id: string,
    @Arg('reason', { description: 'Why the alert is withdrawn, shown with it.' }) reason: string,
  ): Promise<AlertType> {
    const actor = requireCivilProtectionStaff(ctx);
    const alert = await cancelAlert(ctx.em, id, actor, reason, ctx.now);
    ctx.alertChanged();
    return toAlertType(alert, ctx.now, ctx.publicUrl);
  }
}
