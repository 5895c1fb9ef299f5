import { createGrpcClient, fromClientError, staticToken, type Channel } from '@assent/platform';
import { authzv1 } from '@assent/proto';
import type { PortalStepUps } from '../../transport/http/portal/portal-ports.js';

/** authz StepUp with the signed-in person's own access token (authz judges its auth_time and acr/amr). */
export class GrpcPortalStepUps implements PortalStepUps {
  constructor(
    private readonly channel: Channel,
    private readonly deadlineMs: number,
  ) {}

  async open(token: string, tenant: string): Promise<{ expiresAt: Date | undefined }> {
    try {
      const res = await createGrpcClient(authzv1.AuthzServiceDefinition, this.channel, staticToken(token), { deadlineMs: this.deadlineMs }).stepUp({ tenant });
      return { expiresAt: res.session?.expiresAt };
    } catch (err) {
      throw fromClientError(err, 'authz');
    }
  }
}
