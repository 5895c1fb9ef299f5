import type { JsonValue } from './types.js';

/** The value at a path of object keys; undefined when a step is missing or not an object. */
export function valueAt(data: JsonValue | undefined, ...path: string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = data;
  for (const key of path) {
    if (cur === null || cur === undefined || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** A non-empty string at a path; undefined otherwise. */
export function stringAt(data: JsonValue | undefined, ...path: string[]): string | undefined {
  const v = valueAt(data, ...path);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A string, number or boolean at a path as a string ("" when absent): for details that are always present. */
export function textAt(data: JsonValue | undefined, ...path: string[]): string {
  const v = valueAt(data, ...path);
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}
