import { describe, expect, it } from 'vitest';
import { decodeRecordAt, decodeRecords, encodeBlock, encodeBlockWithSpans } from '../src/adapters/jetstream/record-codec.js';
import { appendChain, canonical } from './support/records.js';

describe('record codec', () => {
  it('says where each record of a block lies, so one can be read without the rest', async () => {
    const written = await appendChain({ append: async () => undefined }, 'acme', 4, (i) => (i < 1 ? {} : { format: 2, canonical: canonical({ reason: `naïve ünïcode ${'€'.repeat(i)}` }) }));
    const { body, spans } = encodeBlockWithSpans(written);
    // The same bytes as before spans existed.
    expect(body).toBe(JSON.stringify({ records: JSON.parse(encodeBlock(written)).records }));
    const bytes = new TextEncoder().encode(body);
    expect(decodeRecords(bytes)).toEqual(written);
    spans.forEach((span, i) => expect(decodeRecordAt(bytes, span, i + 1)).toEqual(written[i]));
  });

  it('reads nothing from a span that is not the record asked for', async () => {
    const written = await appendChain({ append: async () => undefined }, 'acme', 2);
    const { body, spans } = encodeBlockWithSpans(written);
    const bytes = new TextEncoder().encode(body);
    expect(decodeRecordAt(bytes, spans[0]!, 2)).toBeUndefined();
    expect(decodeRecordAt(bytes, [spans[0]![0] + 1, spans[0]![1]], 1)).toBeUndefined();
    expect(decodeRecordAt(bytes, [0, bytes.length + 1], 1)).toBeUndefined();
  });
});
