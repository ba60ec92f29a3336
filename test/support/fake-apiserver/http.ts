// Small HTTP plumbing shared by the server: bounded JSON bodies in, JSON out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, failure } from './status.js';

const BODY_LIMIT = 3 * 1024 * 1024; // kube-apiserver's default request size limit

/** The request body parsed as JSON (undefined when empty); 413 and 400 as Status errors. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) {
      throw new ApiError(failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${BODY_LIMIT}`));
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(failure(400, 'BadRequest', 'the body of the request could not be decoded as JSON'));
  }
}

export function writeJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
