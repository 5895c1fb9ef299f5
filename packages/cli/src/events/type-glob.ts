/**
 * A CloudEvents type filter: `*` matches any run of characters (dots included, so
 * "assent.approval.*" matches "assent.approval.decided.v1"), `?` exactly one.
 */
export function typeGlob(glob: string): RegExp {
  const body = glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}
