/** A cookie jar per origin and a sign-in through the dev provider's form, with fetch only (no browser). */
export class Jar {
  private readonly cookies = new Map<string, Map<string, string>>();

  header(url: string): string {
    return [...(this.cookies.get(new URL(url).origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  take(url: string, res: Response): void {
    const jar = this.cookies.get(new URL(url).origin) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.cookies.set(new URL(url).origin, jar);
  }

  get(url: string, name: string): string | undefined {
    return this.cookies.get(new URL(url).origin)?.get(name);
  }

  set(url: string, name: string, value: string): void {
    const jar = this.cookies.get(new URL(url).origin) ?? new Map<string, string>();
    jar.set(name, value);
    this.cookies.set(new URL(url).origin, jar);
  }

  /** One request without following redirects, cookies sent and kept. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: this.header(url) } });
    this.take(url, res);
    return res;
  }

  /** Follows redirects (303/302) by GET, as a browser does, until a page answers; returns it and where it is. */
  async follow(url: string, init: RequestInit = {}): Promise<{ res: Response; url: string }> {
    let res = await this.fetch(url, init);
    let at = url;
    for (let hops = 0; res.status >= 300 && res.status < 400 && hops < 10; hops++) {
      at = new URL(res.headers.get('location') as string, at).href;
      res = await this.fetch(at);
    }
    return { res, url: at };
  }
}

export const form = (fields: Record<string, string | string[]>): RequestInit => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() };
};

/** Signs `user` in to the portal at `base` through the dev provider's login form; returns the page landed on. */
export async function signIn(jar: Jar, base: string, user: string, returnTo = '/inbox', strong = false): Promise<{ res: Response; url: string; html: string }> {
  const { res: login, url: loginUrl } = await jar.follow(`${base}/auth/sign-in?return_to=${encodeURIComponent(returnTo)}${strong ? '&strong=1' : ''}`);
  const page = await login.text();
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error(`no dev login form at ${loginUrl}: ${login.status} ${page.slice(0, 300)}`);
  const done = await jar.follow(new URL(action, loginUrl).href, form({ user, ...(strong ? { strong: '1' } : {}) }));
  return { ...done, html: await done.res.text() };
}

export const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
