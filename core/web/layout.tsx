/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import type { WebUser } from './auth/guard.ts';
import { CsrfField } from './csrf-field.tsx';
import { STYLE } from './style.ts';

/** Console pages for admins; the console's own routes decide what is behind each. */
export const CONSOLE_LINKS: Array<{ href: string; label: string; key: string }> = [
  { href: '/console', label: 'Console', key: 'console' },
  { href: '/console/connections', label: 'Connections', key: 'connections' },
  { href: '/console/drift', label: 'Drift', key: 'drift' },
  { href: '/console/unlinked', label: 'Unlinked', key: 'unlinked' },
  { href: '/console/dead-letters', label: 'Dead letters', key: 'dead-letters' },
  { href: '/console/plan', label: 'Plan', key: 'plan' },
  { href: '/console/users', label: 'Users', key: 'users' },
];

export interface LayoutProps {
  title: string;
  user: WebUser;
  csrfToken: string;
  /** The nav entry to highlight: 'inbox' or a CONSOLE_LINKS key. */
  active?: string;
  children?: Child;
  /** Extra markup for <head> (e.g. a page's script). */
  head?: Child;
}

/** The page shell every signed-in page uses: nav (console links for admins only), who is signed in, sign-out. */
export function Layout(props: LayoutProps) {
  const { user } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content={props.csrfToken} />
        <title>{`${props.title} · omnihub`}</title>
        <style>{STYLE}</style>
        {props.head}
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/inbox">omnihub</a>
          <nav>
            <a href="/inbox" class={props.active === 'inbox' ? 'active' : ''}>Inbox</a>
            {user.role === 'admin'
              ? CONSOLE_LINKS.map((l) => <a href={l.href} class={props.active === l.key ? 'active' : ''}>{l.label}</a>)
              : null}
          </nav>
          <span class="who">
            <span id="signed-in-as">{user.name} ({user.role})</span>
            <form method="post" action="/logout" class="inline">
              <CsrfField token={props.csrfToken} />
              <button type="submit" class="link">Sign out</button>
            </form>
          </span>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

/** Renders a full page as an HTML string with its doctype. */
export function renderPage(node: { toString(): string | Promise<string> }): string {
  return `<!doctype html>${String(node.toString())}`;
}
