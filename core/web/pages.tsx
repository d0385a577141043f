/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { WebUser } from './auth/guard.ts';
import { Layout, renderPage } from './layout.tsx';
import { STYLE } from './style.ts';

export function forbiddenPage(user: WebUser, csrfToken: string): string {
  return renderPage(
    <Layout title="Not allowed" user={user} csrfToken={csrfToken}>
      <h1>Not allowed</h1>
      <p id="forbidden">This page is for admins. You are signed in as {user.email} ({user.role}); ask an admin if you need access.</p>
      <p><a href="/inbox">Back to the inbox</a></p>
    </Layout>,
  );
}

export function loginPage(props: { next: string; csrf: string; email?: string; error?: string; notice?: string }): string {
  return renderPage(
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Sign in · omnihub</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <form class="login card" method="post" action="/login">
          <h1>Sign in to omnihub</h1>
          {props.error ? <p class="notice bad" id="login-error" role="alert">{props.error}</p> : null}
          {props.notice ? <p class="notice">{props.notice}</p> : null}
          <input type="hidden" name="_csrf" value={props.csrf} />
          <input type="hidden" name="next" value={props.next} />
          <label for="email">E-mail</label>
          <input id="email" name="email" type="email" autocomplete="username" required value={props.email ?? ''} autofocus />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <p><button type="submit" class="primary">Sign in</button></p>
        </form>
      </body>
    </html>,
  );
}
