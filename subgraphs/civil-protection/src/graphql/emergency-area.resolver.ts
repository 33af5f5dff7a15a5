import { ConnectionArgs, findConnection, type Connection } from '@sportello/platform';
import { Arg, Args, Ctx, Float, Int, Query, Resolver } from 'type-graphql';
import { emergencyNumbers, nearestEmergencyAreas } from '../domain/emergency-area-operations.js';
import type { EmergencyAreaKind } from '../domain/emergency-area.js';
import { EmergencyAreaEntity } from '../entities/emergency-area.entity.js';
import { isPublicId } from '../domain/ids.js';
import type { CivilProtectionContext } from '../context.js';
import { EmergencyAreaKindEnum } from './enums.js';
import { toEmergencyAreaType } from './emergency-area.mapper.js';
import {
  EmergencyAreaConnectionType,
  EmergencyAreaType,
  EmergencyNumberType,
  NearbyEmergencyAreaType,
} from './emergency-area.type.js';

/** `__resolveReference` of EmergencyArea. */
export async function resolveEmergencyAreaReference(
  reference: { id: string },
  ctx: CivilProtectionContext,
): Promise<EmergencyAreaType | null> {
  const area = isPublicId(reference.id)
    ? await ctx.em.findOne(EmergencyAreaEntity, { id: reference.id })
    : null;
  return area === null ? null : toEmergencyAreaType(area);
}

@Resolver(() => EmergencyAreaType)
export class EmergencyAreaResolver {
  @Query(() => EmergencyAreaConnectionType, { description: 'The plan’s emergency areas, by code. Public.' })
  async emergencyAreas(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('kind', () => EmergencyAreaKindEnum, {
      nullable: true,
      description: 'Only areas of this kind; all kinds when omitted.',
    })
    kind: EmergencyAreaKind | null,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<Connection<EmergencyAreaType>> {
    return findConnection(ctx.em, EmergencyAreaEntity, kind === null ? {} : { kind }, {
      order: [['code', 'asc']],
      first,
      after,
      toNode: toEmergencyAreaType,
    });
  }

  @Query(() => [NearbyEmergencyAreaType], {
    description: 'The emergency areas nearest to a point (great-circle distance), nearest first. Public.',
  })
  async nearestEmergencyAreas(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('latitude', () => Float, { description: 'WGS84 latitude of the point, decimal degrees.' })
    latitude: number,
    @Arg('longitude', () => Float, { description: 'WGS84 longitude of the point, decimal degrees.' })
    longitude: number,
    @Arg('kind', () => EmergencyAreaKindEnum, {
      nullable: true,
      description: 'e.g. WAITING for where to go first.',
    })
    kind?: EmergencyAreaKind | null,
    @Arg('limit', () => Int, { defaultValue: 3, description: '1 to 50.' }) limit = 3,
  ): Promise<NearbyEmergencyAreaType[]> {
    const ranked = await nearestEmergencyAreas(ctx.em, { latitude, longitude }, { kind, limit });
    return ranked.map(({ item, distanceMeters }) =>
      Object.assign(new NearbyEmergencyAreaType(), {
        area: toEmergencyAreaType(item),
        distanceMeters: Math.round(distanceMeters),
      }),
    );
  }

  @Query(() => [EmergencyNumberType], {
    description: 'Emergency numbers: 112 NUE, 113, 115, 118, then the comune’s own. Public.',
  })
  async emergencyNumbers(@Ctx() ctx: CivilProtectionContext): Promise<EmergencyNumberType[]> {
    return (await emergencyNumbers(ctx.em)).map((entry) => Object.assign(new EmergencyNumberType(), entry));
  }
}
