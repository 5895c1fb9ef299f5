import { createHash } from 'node:crypto';

/**
 * A grant's identity within its tenant: sha256 of (action, resource) — and of the
 * protection condition it was approved under, when there is one — as 40 hex
 * characters. Resources are free-form, so the key (not the resource) names the
 * grant in OpenFGA (`grant:<tenant>/<key>`) and in the grant catalog, which maps it
 * back to what it is about. Grants without a condition keep the key they always had.
 */
export const grantKey = (action: string, resource: string, condition: string): string =>
  createHash('sha256')
    .update(condition ? `${action}\n${resource}\n${condition}` : `${action}\n${resource}`)
    .digest('hex')
    .slice(0, 40);
