import { publishedEmergencyArea } from '../domain/emergency-area-operations.js';
import type { EmergencyArea } from '../entities/emergency-area.entity.js';
import { EmergencyAreaType } from './emergency-area.type.js';

/** The public view of an emergency area. */
export function toEmergencyAreaType(area: EmergencyArea): EmergencyAreaType {
  return Object.assign(new EmergencyAreaType(), publishedEmergencyArea(area));
}
