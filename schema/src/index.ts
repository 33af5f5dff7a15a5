export { actorSchema, envelopeSchema, type Actor, type EventEnvelope } from './events/envelope.js';
