import { InvalidArgumentError } from 'commander';

export type Params = Record<string, unknown>;

/**
 * The value of `key=value`: JSON when it parses (120, true, null, "0123", [1,2],
 * {"a":1}), otherwise the text as it is (EUR, 01234, hello world).
 */
export function paramValue(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  // 12345678901234567890 would arrive as 12345678901234567000: refuse rather than change it.
  if (typeof value === 'number' && (!Number.isFinite(value) || (/^-?\d+$/.test(text.trim()) && !Number.isSafeInteger(value)))) {
    throw new InvalidArgumentError(`${text.trim()} does not fit a JSON number exactly; quote it to send a string, e.g. '"${text.trim()}"'`);
  }
  return value;
}

/** `amount=120` → ["amount", 120]; the key is everything before the first "=". */
export function parseParam(text: string): [key: string, value: unknown] {
  const eq = text.indexOf('=');
  const key = eq < 0 ? '' : text.slice(0, eq).trim();
  if (!key) throw new InvalidArgumentError(`"${text}" is not key=value, e.g. amount=120 or currency=EUR`);
  return [key, paramValue(text.slice(eq + 1))];
}

/** commander argParser for a repeatable --param key=value: collects into one object, a later key wins. */
export function collectParam(text: string, previous: Params | undefined): Params {
  const [key, value] = parseParam(text);
  return { ...previous, [key]: value };
}

/** commander argParser for --params: a JSON object. */
export function jsonObject(text: string): Params {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`is not JSON (${(err as Error).message}); give an object, e.g. '{"amount": 120, "currency": "EUR"}'`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`must be a JSON object, e.g. '{"amount": 120, "currency": "EUR"}', got ${JSON.stringify(value)}`);
  }
  return value as Params;
}
