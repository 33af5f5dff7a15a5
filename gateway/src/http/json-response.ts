import { type ServerResponse } from 'node:http';

/** A client-facing error in the GraphQL response shape, for requests refused before execution. */
export interface RefusalError {
  message: string;
  extensions: { code: string } & Record<string, unknown>;
}

/** Writes a JSON body with the given status and extra headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Refuses a GraphQL request with one error and no data. */
export function sendRefusal(
  res: ServerResponse,
  status: number,
  error: RefusalError,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { errors: [error] }, headers);
}
