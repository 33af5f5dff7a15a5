import { AlertZoneEntity } from './alert-zone.entity.js';
import { AlertEntity } from './alert.entity.js';
import { EmergencyAreaEntity, EmergencyNumberEntity } from './emergency-area.entity.js';
import { OrdinanceDocumentContentEntity, OrdinanceDocumentEntity } from './ordinance-document.entity.js';
import { OrdinanceEntity } from './ordinance.entity.js';

/** Every entity of the civil-protection database, for `createDatabase({ entities })` and migrations. */
export const CIVIL_PROTECTION_ENTITIES = [
  AlertZoneEntity,
  AlertEntity,
  OrdinanceEntity,
  OrdinanceDocumentEntity,
  OrdinanceDocumentContentEntity,
  EmergencyAreaEntity,
  EmergencyNumberEntity,
];
