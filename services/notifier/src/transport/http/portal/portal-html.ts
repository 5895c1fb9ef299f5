import { escapeHtml } from '../../../domain/email/html.js';

/** Tagged template: every interpolated value is escaped unless it is `raw()` HTML made here. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}
export const raw = (s: string): Html => new Html(s);
type Part = string | number | Html | undefined | null | false | readonly Part[];
const render = (p: Part): string => {
  if (p === undefined || p === null || p === false) return '';
  if (p instanceof Html) return p.value;
  if (Array.isArray(p)) return (p as readonly Part[]).map(render).join('');
  return escapeHtml(String(p as string | number));
};
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => (out += render(v) + (strings[i + 1] ?? '')));
  return new Html(out);
}

export interface Viewer {
  subject: string;
  tenant: string;
  name: string;
  csrf: string;
}

const STYLE = `:root{color-scheme:light}*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1b1b;background:#fff;line-height:1.45}
a{color:#0b4f9c}a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f5b400;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;background:#1d2b3a;color:#fff}
header a{color:#fff}header nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0}header form{display:inline}
header button{background:transparent;color:#fff;border:1px solid #fff;margin:0}
main{max-width:64rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.tabs{display:flex;gap:.25rem;list-style:none;padding:0;margin:0 0 1rem;border-bottom:2px solid #1d2b3a;flex-wrap:wrap}
.tabs a{display:block;padding:.5rem 1rem;text-decoration:none;border-radius:4px 4px 0 0;color:#1d2b3a}
.tabs a[aria-current=page]{background:#1d2b3a;color:#fff}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;vertical-align:top;border-bottom:1px solid #d6d6d6}
.facts th{width:11rem;font-weight:600}
.list{overflow-x:auto}
fieldset{border:1px solid #bbb;border-radius:4px;margin:1rem 0;padding:.5rem 1rem 1rem}
label{font-weight:600}input[type=text],select,textarea{font:inherit;padding:.4rem;border:1px solid #767676;border-radius:4px;max-width:100%}
textarea{width:100%;min-height:4.5rem}
button{font:inherit;padding:.5rem 1rem;margin:.5rem .5rem 0 0;border-radius:4px;border:1px solid #3d3d3d;background:#f2f2f2;color:#1b1b1b;cursor:pointer;min-height:2.75rem}
.approve{background:#0b6e2e;color:#fff;border-color:#0b6e2e}.decline{background:#a4161a;color:#fff;border-color:#a4161a}
.notice{background:#fff4ce;padding:.5rem 1rem;border-radius:4px}.error{background:#fde7e9;padding:.5rem 1rem;border-radius:4px}.ok{background:#dff6dd;padding:.5rem 1rem;border-radius:4px}
.badge{display:inline-block;padding:0 .4rem;border-radius:3px;font-size:.85em;background:#e6e6e6;color:#1b1b1b}.overdue{background:#a4161a;color:#fff}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end}.filters div{display:flex;flex-direction:column}
.timeline{list-style:none;padding:0;border-left:3px solid #1d2b3a;margin-left:.5rem}.timeline li{margin:0 0 .75rem;padding-left:1rem}
.timeline time{color:#4a4a4a;font-size:.9em;display:block}
.stage{border:1px solid #bbb;border-radius:4px;padding:.5rem 1rem;margin:.5rem 0}
@media (max-width:40rem){.facts th{width:auto}th,td{padding:.35rem .25rem}.hide-sm{display:none}}`;

/** The page around every portal view: header with the person and sign-out, then `body`. */
export function layout(nonce: string, title: string, body: Html, viewer?: Viewer): string {
  const signedIn = viewer
    ? html`<nav aria-label="Portal"><ul><li><a href="/inbox">Inbox</a></li></ul></nav>
<div><span>Signed in as <strong>${viewer.name}</strong> (${viewer.tenant})</span>
<form method="post" action="/auth/sign-out"><input type="hidden" name="csrf" value="${viewer.csrf}"><button type="submit">Sign out</button></form></div>`
    : html``;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · Assent</title>
<style nonce="${nonce}">${STYLE}</style>
</head><body><a class="skip" href="#main">Skip to content</a>
<header><a href="/inbox"><strong>Assent</strong></a>${signedIn.value}</header>
<main id="main"><h1>${escapeHtml(title)}</h1>
${body.value}
</main></body></html>
`;
}

export const utc = (d: Date | undefined): string => (d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '');
export const timeEl = (d: Date | undefined): Html => (d ? html`<time datetime="${d.toISOString()}">${utc(d)}</time>` : html``);
export const stateWord = (state: string): string => state.replace(/^REQUEST_STATE_/, '').toLowerCase().replace('_', ' ');
