import type { IncomingMessage } from 'node:http';
import { InvalidArgumentError } from '@assent/platform';

/** What the notifier's pages (email confirmation, portal) read of a browser's request. */

/** Forms are a reason and a few ids: anything larger is not one of our pages. */
export const MAX_FORM_BYTES = 16 * 1024;

/** One cookie's value, or undefined. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim() || undefined;
  }
  return undefined;
}

/** A URL path segment decoded, or undefined when it is missing or malformed. */
export function decodeSegment(segment: string | undefined): string | undefined {
  try {
    return segment === undefined ? undefined : decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The body of one of our forms; INVALID_ARGUMENT for another content type or an oversized body. */
export async function readForm(req: IncomingMessage, maxBytes = MAX_FORM_BYTES): Promise<URLSearchParams> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    throw InvalidArgumentError.field('content-type', "must be application/x-www-form-urlencoded (the page's form)");
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw InvalidArgumentError.field('form', `must be at most ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
