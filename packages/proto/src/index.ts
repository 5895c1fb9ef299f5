// Generated contracts, one namespace per proto package (see proto/ and buf.gen.yaml).
export * as approvalsv1 from './gen/assent/approvals/v1/approvals.js';
export * as authzv1 from './gen/assent/authz/v1/authz.js';
export * as auditv1 from './gen/assent/audit/v1/audit.js';
export * as deliveryv1 from './gen/assent/delivery/v1/delivery.js';
export * as notifierv1 from './gen/assent/notifier/v1/notifier.js';
export * as eventsv1 from './gen/assent/events/v1/events.js';
export { Timestamp } from './gen/google/protobuf/timestamp.js';
export { descriptorSetPath } from './descriptor.js';
