import { fileURLToPath } from 'node:url';

/** Binary FileDescriptorSet of proto/ (built by `make proto`), served by gRPC reflection. */
export const descriptorSetPath = fileURLToPath(new URL('../descriptor.binpb', import.meta.url));
