// What a program in the same process (the in-process benchmark) may drive directly:
// the composed dependencies and the domain commands, without gRPC in front.
export { composeAuthz } from './main.js';
export { checkAccess } from './domain/commands/check-access.js';
export { createTenant } from './domain/commands/create-tenant.js';
export { addTenantMember } from './domain/commands/add-tenant-member.js';
export { registerProtectedAction } from './domain/commands/register-protected-action.js';
export { writeGrant } from './domain/commands/write-grant.js';
export type { AuthzDeps } from './domain/ports.js';
