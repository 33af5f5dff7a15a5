import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties } from '../tenancy.js';

/** A tenant-owned record, enough to exercise isolation and atomic writes. */
export const Note = defineEntity({
  name: 'Note',
  tableName: 'note',
  properties: {
    id: p.uuid().primary(),
    ...tenantProperties(),
    title: p.string().length(200),
  },
});
export type Note = InferEntity<typeof Note>;

/** A tenant-owned record pointing at another, to check that relations load in batches. */
export const Comment = defineEntity({
  name: 'Comment',
  tableName: 'comment',
  properties: {
    id: p.uuid().primary(),
    ...tenantProperties(),
    note: () => p.manyToOne(Note).ref(),
    body: p.string().length(500),
  },
});
export type Comment = InferEntity<typeof Comment>;

/** A shared (not tenant-owned) record: visible from every comune. */
export const Setting = defineEntity({
  name: 'Setting',
  tableName: 'setting',
  properties: {
    key: p.string().length(100).primary(),
    value: p.string().length(200),
  },
});
export type Setting = InferEntity<typeof Setting>;

export const testEntities = [Note, Comment, Setting];
