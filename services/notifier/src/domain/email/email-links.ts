import { portalUrl } from '../slack/approval-message.js';

export { portalUrl };

/** The confirmation page a link opens (the token travels once, in the query). */
export const reviewUrl = (publicBaseUrl: string, token: string): string => `${publicBaseUrl}/email/open?token=${encodeURIComponent(token)}`;

/** Where the page lives once the token is exchanged for a session (no token in it). */
export const requestPagePath = (r: { tenant: string; id: string }): string => `/email/requests/${encodeURIComponent(r.tenant)}/${encodeURIComponent(r.id)}`;

/** Message-ID of an email notification: the same notification always has the same one. */
export const messageIdOf = (notificationId: string): string => `<${notificationId}@assent.notifier>`;
