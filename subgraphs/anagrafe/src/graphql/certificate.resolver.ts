import { ConnectionArgs, withNodes, type Connection } from '@sportello/platform';
import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf, type AnagrafeContext } from '../context.js';
import {
  certificateRequestsOf,
  requestCertificate,
  verifyCertificate,
} from '../domain/certificate-operations.js';
import type { CertificateKind, StampDutyExemption } from '../domain/certificate-rules.js';
import { linkBase } from './citizen.resolver.js';
import { toCertificateRequestType, toVerificationType } from './certificate.mapper.js';
import {
  CertificateRequestConnectionType,
  CertificateRequestType,
  CertificateVerificationType,
} from './certificate.type.js';
import { CertificateRequestInput } from './inputs.input.js';

@Resolver(() => CertificateRequestType)
export class CertificateResolver {
  @Mutation(() => CertificateRequestType, {
    description:
      'A citizen requests a certificate about themselves or a member of their family. With an exemption (or for ' +
      'civil-status certificates) it is issued at once: download it from certificate.downloadUrl. Otherwise the ' +
      'request waits (AWAITING_PAYMENT) for its 16 EUR stamp duty: the citizen is notified of the pagoPA notice, ' +
      'and the certificate is issued when it is paid (see myCertificateRequests).',
  })
  async requestCertificate(
    @Ctx() ctx: AnagrafeContext,
    @Arg('input', () => CertificateRequestInput, {
      description: 'Whose certificate, which kinds, and what it is for.',
    })
    input: CertificateRequestInput,
  ): Promise<CertificateRequestType> {
    const outcome = await requestCertificate(
      ctx,
      {
        holderFiscalCode: input.holderFiscalCode ?? null,
        kinds: input.kinds as CertificateKind[],
        use: input.use,
        exemption: (input.exemption ?? null) as StampDutyExemption | null,
      },
      await actorOf(ctx),
    );
    return toCertificateRequestType(outcome, linkBase(ctx));
  }

  @Query(() => CertificateRequestConnectionType, {
    description:
      'The signed-in citizen’s certificate requests, newest first: those waiting for their stamp duty with the ' +
      'pagoPA notice to pay, and those issued with their certificate.',
  })
  async myCertificateRequests(
    @Ctx() ctx: AnagrafeContext,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<Connection<CertificateRequestType>> {
    const page = await certificateRequestsOf(ctx, { first, after });
    return withNodes(
      page,
      page.nodes.map((outcome) => toCertificateRequestType(outcome, linkBase(ctx))),
    );
  }

  @Query(() => CertificateVerificationType, {
    nullable: true,
    description:
      'Public: checks a verification code (as printed or read from the QR code). Returns only what the certificate ' +
      'says, or null when no certificate has this code.',
  })
  async verifyCertificate(
    @Ctx() ctx: AnagrafeContext,
    @Arg('code', {
      description: 'The verification code printed on the certificate or read from its QR code.',
    })
    code: string,
  ): Promise<CertificateVerificationType | null> {
    const verification = await verifyCertificate(ctx.em, code, ctx.today);
    return verification === null ? null : toVerificationType(verification);
  }
}
