import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';

/**
 * The comune as pagoPA creditor (ente creditore): its fiscal code, its segregation code and the
 * sequence its IUV bases come from. One row per comune; `nextIuvBase` only ever grows, so a notice
 * number is never issued twice even after positions are deleted or a batch rolls back.
 */
export const CreditorEntity = defineEntity({
  name: 'Creditor',
  tableName: 'creditor',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    fiscalCode: p.string().length(11),
    name: p.string().length(200),
    /** Two digits `01`-`99`, second and third digit of every notice number. */
    segregationCode: p.string().length(2),
    /** The next IUV base to hand out (13 digits at most). */
    nextIuvBase: p.bigint('number'),
  },
  uniques: [{ properties: ['comune'] }],
});
export type Creditor = InferEntity<typeof CreditorEntity>;
