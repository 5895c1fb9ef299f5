// The record hash lives in @assent/platform (audit/record-hash.ts) so the service and
// `assentctl audit verify` (offline, over an export) seal and check records with one code.
// It hashes each record by its format: old records keep verifying as they were written.
export { payloadHashOf, RECORD_FORMATS, recordHash } from '@assent/platform/domain';
