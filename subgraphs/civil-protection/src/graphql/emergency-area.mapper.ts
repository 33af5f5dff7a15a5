import type { EmergencyArea } from '../entities/emergency-area.entity.js';
import { EmergencyAreaType } from './emergency-area.type.js';

/** The public view of an emergency area. */
export function toEmergencyAreaType(area: EmergencyArea): EmergencyAreaType {
  return Object.assign(new EmergencyAreaType(), {
    id: area.id,
    code: area.code,
    name: area.name,
    kind: area.kind,
    latitude: Number(area.latitude),
    longitude: Number(area.longitude),
    capacity: area.capacity ?? null,
    address: area.address ?? null,
    zoneCode: area.zoneCode ?? null,
  });
}
