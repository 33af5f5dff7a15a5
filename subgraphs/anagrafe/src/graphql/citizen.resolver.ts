import { ConnectionArgs, findConnection, withNodes, type Connection } from '@sportello/platform';
import { Args, FieldResolver, Ctx, Resolver, Root } from 'type-graphql';
import type { AnagrafeContext } from '../context.js';
import { authorizeRecordRead } from '../domain/access.js';
import { familyMembers } from '../domain/residents.js';
import { certificateRequestsBy } from '../domain/certificate-operations.js';
import { documentsOf } from '../domain/document-operations.js';
import { residenceChangesOf } from '../domain/residence-change-operations.js';
import { CertificateEntity } from '../entities/certificate.entity.js';
import { toCertificateRequestType, toCertificateType } from './certificate.mapper.js';
import {
  CertificateConnectionType,
  CertificateRequestConnectionType,
  type CertificateRequestType,
  type CertificateType,
} from './certificate.type.js';
import { CitizenType } from './citizen.type.js';
import { toIdentityDocumentType } from './document.mapper.js';
import { IdentityDocumentType } from './document.type.js';
import { toResidenceChangeType } from './residence-change.mapper.js';
import { ResidenceChangeConnectionType, type ResidenceChangeType } from './residence-change.type.js';
import { toFamilyType, toResidenceType } from './resident.mapper.js';
import { FamilyType, ResidenceType } from './resident.type.js';

/** `__resolveReference` of Citizen: the key only; each field loads and authorises its own data. */
export function resolveCitizenReference(reference: { fiscalCode: string }): CitizenType {
  return Object.assign(new CitizenType(), { fiscalCode: reference.fiscalCode.toUpperCase() });
}

/** Base URL of links this service hands out. */
export function linkBase(ctx: AnagrafeContext): { baseUrl: string; verificationUrl: string } {
  return {
    baseUrl: ctx.settings.publicUrl,
    verificationUrl: ctx.settings.certificateVerificationUrl,
  };
}

const WHO =
  'Requires: the person, a parent of a minor, someone they delegated, an app with "anagrafe", anagrafe staff (audited).';

@Resolver(() => CitizenType)
export class CitizenResolver {
  @FieldResolver(() => ResidenceType, {
    nullable: true,
    description: `The registry record; null when not resident. ${WHO}`,
  })
  async residence(@Root() citizen: CitizenType, @Ctx() ctx: AnagrafeContext): Promise<ResidenceType | null> {
    await authorizeRecordRead(ctx, citizen.fiscalCode, 'residence', 'Citizen.residence');
    const resident = await ctx.residents.load(citizen.fiscalCode);
    return resident === null ? null : toResidenceType(resident);
  }

  @FieldResolver(() => FamilyType, { nullable: true, description: `Stato di famiglia. ${WHO}` })
  async family(@Root() citizen: CitizenType, @Ctx() ctx: AnagrafeContext): Promise<FamilyType | null> {
    await authorizeRecordRead(ctx, citizen.fiscalCode, 'family', 'Citizen.family');
    const resident = await ctx.residents.load(citizen.fiscalCode);
    if (resident === null) return null;
    return toFamilyType(resident.familyCode, await familyMembers(ctx.em, resident.familyCode));
  }

  @FieldResolver(() => [IdentityDocumentType], {
    nullable: true,
    description: `Identity documents, newest first. ${WHO} Null with a FORBIDDEN error for anyone else: the rest of the answer stands.`,
  })
  async identityDocuments(
    @Root() citizen: CitizenType,
    @Ctx() ctx: AnagrafeContext,
  ): Promise<IdentityDocumentType[] | null> {
    await authorizeRecordRead(ctx, citizen.fiscalCode, 'documents', 'Citizen.identityDocuments');
    return (await documentsOf(ctx.em, citizen.fiscalCode)).map((document) =>
      toIdentityDocumentType(document, ctx.today),
    );
  }

  @FieldResolver(() => CertificateConnectionType, {
    description: `Certificates issued about this person, newest first. ${WHO}`,
  })
  async certificates(
    @Root() citizen: CitizenType,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: AnagrafeContext,
  ): Promise<Connection<CertificateType>> {
    await authorizeRecordRead(ctx, citizen.fiscalCode, 'certificates', 'Citizen.certificates');
    return findConnection(
      ctx.em,
      CertificateEntity,
      { holderFiscalCode: citizen.fiscalCode },
      {
        // The id breaks ties between certificates of the same instant.
        order: [
          ['issuedAt', 'desc'],
          ['id', 'desc'],
        ],
        first,
        after,
        toNode: (row) => toCertificateType(row, linkBase(ctx)),
      },
    );
  }

  @FieldResolver(() => CertificateRequestConnectionType, {
    description: `Certificate requests this person made, newest first: what each waits for, why one failed (PAYMENT_FAILED and its failureReason), the certificate once issued. ${WHO}`,
  })
  async certificateRequests(
    @Root() citizen: CitizenType,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: AnagrafeContext,
  ): Promise<Connection<CertificateRequestType>> {
    await authorizeRecordRead(ctx, citizen.fiscalCode, 'certificates', 'Citizen.certificateRequests');
    const page = await certificateRequestsBy(ctx.em, citizen.fiscalCode, { first, after });
    return withNodes(
      page,
      page.nodes.map((outcome) => toCertificateRequestType(outcome, linkBase(ctx))),
    );
  }

  @FieldResolver(() => ResidenceChangeConnectionType, {
    description: `Change-of-residence declarations this person is part of, newest first. ${WHO}`,
  })
  async residenceChanges(
    @Root() citizen: CitizenType,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: AnagrafeContext,
  ): Promise<Connection<ResidenceChangeType>> {
    await authorizeRecordRead(ctx, citizen.fiscalCode, 'residenceChanges', 'Citizen.residenceChanges');
    const page = await residenceChangesOf(ctx.em, citizen.fiscalCode, { first, after });
    return withNodes(
      page,
      page.nodes.map((change) => toResidenceChangeType(change, ctx.today, ctx.settings.publicUrl)),
    );
  }
}
