import {
  ClientError,
  ForbiddenError,
  requireAuthenticated,
  type Route,
  type RouteResponse,
  type ServiceRequest,
} from '@sportello/platform';
import type { TributiContext } from '../context.js';
import { paymentProviderOf } from '../domain/access.js';
import { recordPaymentReceipt } from '../domain/receipts.js';
import { BadUserInputError } from '@sportello/platform';

/** Where payment providers post receipts over plain HTTP. */
export const RECEIPTS_PATH = '/payments/receipts';

const STATUS_OF: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
};

function errorResponse(error: ClientError): RouteResponse {
  const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
  return { status: STATUS_OF[error.code] ?? 400, json: { error: { message: error.message, ...extensions } } };
}

function field(body: Record<string, unknown>, name: string, type: 'string' | 'number'): unknown {
  const value = body[name];
  if (typeof value !== type) throw new BadUserInputError(`${name} must be a ${type}`, { field: name });
  return value;
}

/**
 * `POST /payments/receipts` with a bearer token and `{ noticeNumber, amountCents, paidAt, receiptId }`:
 * the same as the `recordPaymentReceipt` mutation for providers that speak plain HTTP. Answers 200
 * with the receipt (the same for a repeated receipt), or 400/401/403/404/409 with
 * `{ error: { message, code, ... } }`.
 */
export function receiptsRoute(context: (request: ServiceRequest) => Promise<TributiContext>): Route {
  return {
    method: 'POST',
    path: RECEIPTS_PATH,
    async handler(request) {
      try {
        const ctx = await context(request);
        requireAuthenticated(ctx.principal);
        const from = paymentProviderOf(ctx.principal, ctx.settings.providers);
        if (from === null) {
          throw new ForbiddenError('Only a configured payment provider can record payment receipts.', {
            reason: 'PAYMENT_PROVIDER_REQUIRED',
          });
        }
        const body = await request.json();
        if (typeof body !== 'object' || body === null) throw new BadUserInputError('expected a JSON object');
        const record = body as Record<string, unknown>;
        const paidAt = new Date(field(record, 'paidAt', 'string') as string);
        const receipt = await recordPaymentReceipt(
          ctx.em,
          ctx.comune,
          {
            noticeNumber: field(record, 'noticeNumber', 'string') as string,
            amountCents: field(record, 'amountCents', 'number') as number,
            paidAt,
            receiptId: field(record, 'receiptId', 'string') as string,
          },
          {
            from,
            actor: { kind: 'system', id: from },
            fineRules: ctx.settings.fineRules,
            now: ctx.now,
            lockRows: ctx.settings.lockRows,
          },
        );
        return { status: 200, json: { ...receipt, paidAt: receipt.paidAt.toISOString() } };
      } catch (error) {
        if (error instanceof ClientError) return errorResponse(error);
        throw error;
      }
    },
  };
}
