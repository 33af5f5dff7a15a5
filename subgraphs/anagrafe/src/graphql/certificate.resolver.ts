import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf, type AnagrafeContext } from '../context.js';
import { issueCertificate, verifyCertificate } from '../domain/certificate-operations.js';
import type { CertificateKind, StampDutyExemption } from '../domain/certificate-rules.js';
import { linkBase } from './citizen.resolver.js';
import { toCertificateType, toVerificationType } from './certificate.mapper.js';
import { CertificateType, CertificateVerificationType } from './certificate.type.js';
import { CertificateRequestInput } from './inputs.input.js';

@Resolver(() => CertificateType)
export class CertificateResolver {
  @Mutation(() => CertificateType, {
    description:
      'A citizen obtains a certificate about themselves or a member of their family. Download it from downloadUrl.',
  })
  async requestCertificate(
    @Ctx() ctx: AnagrafeContext,
    @Arg('input', () => CertificateRequestInput, {
      description: 'Whose certificate, which kinds, and what it is for.',
    })
    input: CertificateRequestInput,
  ): Promise<CertificateType> {
    const certificate = await issueCertificate(
      ctx,
      {
        holderFiscalCode: input.holderFiscalCode ?? null,
        kinds: input.kinds as CertificateKind[],
        use: input.use,
        exemption: (input.exemption ?? null) as StampDutyExemption | null,
      },
      await actorOf(ctx),
    );
    return toCertificateType(certificate, linkBase(ctx));
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
