import { Violations } from '@assent/platform/domain';
import { EVENT_TYPE } from './event-types.js';

export const limits = { urlLength: 2048, descriptionLength: 500, eventTypes: 64 };

export interface EndpointInput {
  tenant: string;
  url: string;
  description: string;
  eventTypes: string[];
}

/** Shape checks that need no I/O; the SSRF check (DNS) runs after these pass. */
export function validateEndpointInput(input: EndpointInput): Violations {
  const v = new Violations().check('tenant', input.tenant, 'tenant');
  if (!input.url) {
    v.add('url', 'is required');
  } else if (input.url.length > limits.urlLength) {
    v.add('url', `must be at most ${limits.urlLength} characters`);
  } else {
    let url: URL | undefined;
    try {
      url = new URL(input.url);
    } catch {
      v.add('url', 'must be an absolute http or https URL');
    }
    if (url) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') v.add('url', 'must use http or https');
      else if (url.username || url.password) v.add('url', 'must not contain credentials; authenticate with the webhook signature');
      else if (url.hash) v.add('url', 'must not contain a fragment');
    }
  }
  if (input.description.length > limits.descriptionLength) v.add('description', `must be at most ${limits.descriptionLength} characters`);
  if (input.eventTypes.length > limits.eventTypes) v.add('event_types', `must list at most ${limits.eventTypes} types`);
  input.eventTypes.forEach((t, i) => {
    if (!EVENT_TYPE.test(t)) v.add(`event_types[${i}]`, 'must be a CloudEvents type like "assent.approval.decided.v1"');
    else if (input.eventTypes.indexOf(t) !== i) v.add(`event_types[${i}]`, `duplicates "${t}"`);
  });
  return v;
}
