import { UnavailableError, fromClientError, type createGrpcClient } from '@assent/platform';
import type { authzv1 } from '@assent/proto';
import type { GroupMembers } from '../../domain/ports.js';

type AuthzClient = ReturnType<typeof createGrpcClient<typeof authzv1.AuthzServiceDefinition>>;

/** Pages of 100; a group larger than this is not emailed whole (the event fails and says so). */
const MAX_PAGES = 50;

/** A group's members from authz ListGroupMembers, with the notifier's service token. */
export class AuthzGroupMembers implements GroupMembers {
  constructor(private readonly client: AuthzClient) {}

  async membersOf(tenant: string, group: string): Promise<string[]> {
    const members: string[] = [];
    let pageToken = '';
    for (let page = 0; page < MAX_PAGES; page++) {
      let res: authzv1.ListGroupMembersResponse;
      try {
        res = await this.client.listGroupMembers({ tenant, group, pageSize: 100, pageToken });
      } catch (err) {
        throw fromClientError(err, 'authz');
      }
      members.push(...res.users);
      if (!res.nextPageToken) return members;
      pageToken = res.nextPageToken;
    }
    throw new UnavailableError(`group ${group} of tenant ${tenant} has more than ${MAX_PAGES * 100} members; not emailing it`);
  }
}
