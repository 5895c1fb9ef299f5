// The record hash lives in @assent/platform (audit/record-hash.ts) so the service and
// `assentctl audit verify` (offline, over an export) seal and check records with one code.
export { recordHash } from '@assent/platform/domain';
