export type { EventBus, EventHandler, ConsumerOptions, Consumer } from './bus/event-bus.js';
export {
  OFFICES,
  SCOPES,
  type Office,
  type Scope,
  type Principal,
  type AnonymousPrincipal,
  type CitizenPrincipal,
  type StaffPrincipal,
  type ClientPrincipal,
} from './auth/principal.js';
