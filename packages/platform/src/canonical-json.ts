/**
 * JSON with object keys sorted (by UTF-16 code units) and no whitespace. Primitives
 * use JSON.stringify, whose number and string forms are the ones RFC 8785 (JCS)
 * prescribes, so the output is stable across producers and runtimes: policy hashes
 * and audit record hashes can be recomputed by anyone. Undefined members are
 * omitted; values with toJSON (Date) are serialised through it.
 */
export function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON(): unknown }).toJSON());
  }
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number is not JSON');
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new TypeError(`${typeof value} is not JSON`);
    }
    return JSON.stringify(value);
  }
  // String building in loops, not map/filter/join: audit hashes every record with this
  // (ingest and verification), and the intermediate arrays were a quarter of its cost.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${typeof v === 'string' ? JSON.stringify(v) : canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}
