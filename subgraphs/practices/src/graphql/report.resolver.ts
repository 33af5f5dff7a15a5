import {
  ConnectionArgs,
  connectionType,
  findConnection,
  requireStaff,
  type Connection,
  type KeysetOrder,
} from '@sportello/platform';
import type { ReportStatus } from '@sportello/schema';
import {
  Arg,
  Args,
  Ctx,
  Field,
  Float,
  FieldResolver,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { citizenActor, peopleOf, requireCitizen } from '../domain/access.js';
import {
  changeReportStatus,
  fileReport,
  findReport,
  REPORT_CATEGORIES,
  REPORTS_OFFICE,
} from '../domain/report-operations.js';
import { ReportEntity, type Report } from '../entities/report.entity.js';
import type { PracticesContext } from '../context.js';
import { ReportStatusEnum } from './enums.js';
import { toAttachmentType } from './practice.mapper.js';
import { AttachmentType } from './practice.type.js';
import { NotFoundError, auditPersonalDataRead } from '@sportello/platform';

/** Latest filed first; the id (UUIDv7) breaks ties. */
const NEWEST_FIRST: KeysetOrder = [
  ['createdAt', 'desc'],
  ['id', 'desc'],
];

@ObjectType('ReportChange', { description: 'One status change of a report.' })
export class ReportChangeType {
  @Field({ description: 'When the change happened.' })
  at!: Date;

  @Field(() => ReportStatusEnum, { nullable: true, description: 'Status before; null for the filing.' })
  from!: string | null;

  @Field(() => ReportStatusEnum, { description: 'Status after.' })
  to!: string;

  @Field(() => String, { nullable: true, description: 'The office’s note to the reporter; null when none.' })
  note!: string | null;
}

@ObjectType('Report', {
  description: 'A citizen report (segnalazione). Seen by its reporter and by the office.',
})
export class ReportType {
  @Field(() => ID, { description: 'Identifier of the report.' })
  id!: string;

  @Field({ description: 'One of reportCategories.' })
  category!: string;

  @Field({ description: 'What the reporter saw.' })
  description!: string;

  @Field(() => Float, { description: 'WGS84 latitude of the problem, decimal degrees.' })
  latitude!: number;

  @Field(() => Float, { description: 'WGS84 longitude of the problem, decimal degrees.' })
  longitude!: number;

  @Field(() => String, {
    nullable: true,
    description: 'Street address given by the reporter; null when none.',
  })
  address!: string | null;

  @Field(() => ReportStatusEnum, { description: 'Where the report stands.' })
  status!: string;

  @Field({ description: 'Whether the reporter left their identity (and gets updates).' })
  identified!: boolean;

  @Field({ description: 'When the report was filed.' })
  createdAt!: Date;

  @Field({ description: 'When the report last changed.' })
  updatedAt!: Date;
}

export const ReportConnectionType = connectionType(ReportType, 'Report', 'reports');

@InputType('FileReportInput', { description: 'A problem to report to the comune.' })
export class FileReportInput {
  @Field({ description: 'One of reportCategories.' })
  category!: string;

  @Field({ description: 'What the problem is.' })
  description!: string;

  @Field(() => Float, { description: 'WGS84, -90..90.' })
  latitude!: number;

  @Field(() => Float, { description: 'WGS84, -180..180.' })
  longitude!: number;

  @Field(() => String, { nullable: true, description: 'Street address, if known.' })
  address?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Do not keep who reported it (no updates then).' })
  anonymous?: boolean | null;
}

function toReportType(report: Report): ReportType {
  return Object.assign(new ReportType(), {
    id: report.id,
    category: report.category,
    description: report.description,
    latitude: report.latitude,
    longitude: report.longitude,
    address: report.address ?? null,
    status: report.status,
    identified: report.reporterFiscalCode != null,
    createdAt: report.createdAt,
    updatedAt: report.updatedAt,
  });
}

/** A report the caller may see: the reporter (or who acts for them) or the office's staff. */
async function visibleReport(ctx: PracticesContext, id: string): Promise<Report> {
  const report = await findReport(ctx.em, id);
  if (ctx.principal.kind === 'staff') {
    requireStaff(ctx.principal, REPORTS_OFFICE);
    if (report.reporterFiscalCode != null) {
      await auditPersonalDataRead(ctx, report.reporterFiscalCode, {
        action: 'read',
        resource: `Report:${report.id}`,
      });
    }
    return report;
  }
  const people = peopleOf(requireCitizen(ctx.principal));
  if (report.reporterFiscalCode == null || !people.includes(report.reporterFiscalCode)) {
    throw new NotFoundError(`No report with id ${id}`);
  }
  return report;
}

@Resolver(() => ReportType)
export class ReportResolver {
  @Query(() => [String], { description: 'Categories a report may have. Public.' })
  reportCategories(): string[] {
    return [...REPORT_CATEGORIES];
  }

  @Query(() => ReportType, { description: 'One report, for its reporter or the office.' })
  async report(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the report.' }) id: string,
  ): Promise<ReportType> {
    return toReportType(await visibleReport(ctx, id));
  }

  @Query(() => ReportConnectionType, { description: 'The caller’s reports, newest first.' })
  async myReports(
    @Ctx() ctx: PracticesContext,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<Connection<ReportType>> {
    const people = peopleOf(requireCitizen(ctx.principal));
    return findConnection(
      ctx.em,
      ReportEntity,
      { reporterFiscalCode: { $in: people } },
      {
        order: NEWEST_FIRST,
        first,
        after,
        toNode: toReportType,
      },
    );
  }

  @Query(() => ReportConnectionType, {
    description: 'Reports by status, oldest first. Staff of the practices office.',
  })
  async reportQueue(
    @Ctx() ctx: PracticesContext,
    @Arg('status', () => ReportStatusEnum, { nullable: true, description: 'Only reports in this status.' })
    status: string | null,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<Connection<ReportType>> {
    requireStaff(ctx.principal, REPORTS_OFFICE);
    // Ids are time-ordered (UUIDv7): filing order, and a stable key for the cursor.
    return findConnection(ctx.em, ReportEntity, status == null ? {} : { status: status as ReportStatus }, {
      order: [['id', 'asc']],
      first,
      after,
      toNode: toReportType,
    });
  }

  @FieldResolver(() => [ReportChangeType], { description: 'Every status change, oldest first.' })
  async history(@Root() report: ReportType, @Ctx() ctx: PracticesContext): Promise<ReportChangeType[]> {
    const rows = await ctx.loaders.reportHistory.load(report.id);
    return rows.map((row) =>
      Object.assign(new ReportChangeType(), {
        at: row.at,
        from: row.fromStatus ?? null,
        to: row.toStatus,
        note: row.note ?? null,
      }),
    );
  }

  @FieldResolver(() => [AttachmentType], { description: 'Photos of the problem.' })
  async photos(@Root() report: ReportType, @Ctx() ctx: PracticesContext): Promise<AttachmentType[]> {
    return (await ctx.loaders.reportPhotos.load(report.id)).map(toAttachmentType);
  }

  @Mutation(() => ReportType, {
    description: 'Files a report; add photos with POST /attachments?reportId=<id>.',
  })
  async fileReport(
    @Ctx() ctx: PracticesContext,
    @Arg('input', () => FileReportInput, {
      description: 'The problem, where it is, and whether to stay anonymous.',
    })
    input: FileReportInput,
  ): Promise<ReportType> {
    const caller = requireCitizen(ctx.principal);
    const actor = await citizenActor(ctx.em, ctx.comune, caller);
    return toReportType(
      await fileReport(ctx.em, ctx.territories, ctx.comune, caller.fiscalCode, actor, input, ctx.now),
    );
  }

  @Mutation(() => ReportType, {
    description: 'Moves a report to another status; the reporter is told. Staff of the practices office.',
  })
  async updateReportStatus(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the report.' }) id: string,
    @Arg('status', () => ReportStatusEnum, { description: 'The new status.' }) status: string,
    @Arg('note', () => String, { nullable: true, description: 'Note to the reporter, if any.' })
    note?: string | null,
  ): Promise<ReportType> {
    const staff = requireStaff(ctx.principal, REPORTS_OFFICE);
    const report = await findReport(ctx.em, id);
    return toReportType(
      await changeReportStatus(
        ctx.em,
        report,
        status as ReportStatus,
        note,
        { kind: 'staff', id: staff.username },
        ctx.now,
      ),
    );
  }
}
