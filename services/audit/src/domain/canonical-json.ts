import type { JsonValue } from './types.js';

/**
 * JSON with object keys sorted (by UTF-16 code units) and no whitespace. Primitives
 * use JSON.stringify, whose number and string forms are the ones RFC 8785 (JCS)
 * prescribes, so the output is stable across producers and runtimes: the hash of a
 * record can be recomputed by anyone from the ListRecords output.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number is not JSON');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as JsonValue)}`).join(',')}}`;
}
