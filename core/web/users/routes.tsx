/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { type Context, Hono } from 'hono';
import type { WebEnv } from '../auth/guard.ts';
import { addUser, listUsers, resetPassword, setDisabled, setRole, UserError, type UserRow } from '../auth/users.ts';
import { CsrfField } from '../csrf-field.tsx';
import type { WebDeps } from '../deps.ts';
import { Layout, renderPage } from '../layout.tsx';

type Ctx = Context<WebEnv>;

/** User management for admins (`/console/users`): list, add, change role, disable / enable, reset password. */
export function usersRoutes(deps: Pick<WebDeps, 'db'>): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  const page = async (c: Ctx, status: 200 | 400 = 200, message?: { ok: boolean; text: string }) => {
    const users = await listUsers(deps.db);
    const csrf = c.get('csrfToken');
    return c.html(
      renderPage(
        <Layout title="Users" user={c.get('user')} csrfToken={csrf} active="users">
          <h1>Users</h1>
          {message ? <p id="users-message" class={`notice ${message.ok ? '' : 'bad'}`}>{message.text}</p> : null}
          <table id="users">
            <tr><th>e-mail</th><th>name</th><th>role</th><th>state</th><th>actions</th></tr>
            {users.map((u) => <UserRowView u={u} csrf={csrf} self={u.id === c.get('user').id} />)}
          </table>
          <h2>Add a user</h2>
          <form method="post" action="/console/users" class="card" id="add-user">
            <CsrfField token={csrf} />
            <label for="new-email">E-mail</label><input id="new-email" name="email" type="email" required />
            <label for="new-name">Name</label><input id="new-name" name="name" required />
            <label for="new-role">Role</label>
            <select id="new-role" name="role"><option value="agent">agent</option><option value="admin">admin</option></select>
            <label for="new-password">Initial password (at least 10 characters)</label>
            <input id="new-password" name="password" type="password" autocomplete="new-password" required />
            <p><button class="primary" type="submit">Add user</button></p>
          </form>
        </Layout>,
      ),
      status,
    );
  };

  app.get('/', (c) => page(c));

  const act = (fn: (body: Record<string, string>, c: Ctx) => Promise<string>) =>
    async (c: Ctx) => {
      const raw = await c.req.parseBody();
      const body = Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
      try {
        return await page(c, 200, { ok: true, text: await fn(body, c) });
      } catch (err) {
        if (err instanceof UserError) return page(c, 400, { ok: false, text: err.message });
        throw err;
      }
    };

  app.post('/', act(async (b) => {
    const u = await addUser(deps.db, { email: b['email'] ?? '', name: b['name'] ?? '', role: b['role'] === 'admin' ? 'admin' : 'agent', password: b['password'] ?? '' });
    return `Added ${u.email} (${u.role}).`;
  }));
  app.post('/:id/role', act(async (b, c) => {
    const role = b['role'] === 'admin' ? 'admin' : 'agent';
    const u = await setRole(deps.db, c.req.param('id') ?? '', role);
    return `${u.email} is now ${role}.`;
  }));
  app.post('/:id/disable', act(async (_b, c) => `${(await setDisabled(deps.db, c.req.param('id') ?? '', true)).email} is disabled and signed out.`));
  app.post('/:id/enable', act(async (_b, c) => `${(await setDisabled(deps.db, c.req.param('id') ?? '', false)).email} is enabled.`));
  app.post('/:id/password', act(async (b, c) => `New password set for ${(await resetPassword(deps.db, c.req.param('id') ?? '', b['password'] ?? '')).email}; their sessions ended.`));
  return app;
}

function UserRowView(props: { u: UserRow; csrf: string; self: boolean }) {
  const { u, csrf } = props;
  return (
    <tr data-email={u.email}>
      <td>{u.email}{props.self ? <span class="muted"> (you)</span> : null}</td>
      <td>{u.name}</td>
      <td>
        <form method="post" action={`/console/users/${u.id}/role`} class="row">
          <CsrfField token={csrf} />
          <select name="role" aria-label={`role of ${u.email}`}>
            <option value="agent" selected={u.role === 'agent'}>agent</option>
            <option value="admin" selected={u.role === 'admin'}>admin</option>
          </select>
          <button type="submit">Change</button>
        </form>
      </td>
      <td>{u.disabled ? <span class="bad">disabled</span> : <span class="ok">active</span>}</td>
      <td>
        <div class="row">
          <form method="post" action={`/console/users/${u.id}/${u.disabled ? 'enable' : 'disable'}`}>
            <CsrfField token={csrf} />
            <button type="submit">{u.disabled ? 'Enable' : 'Disable'}</button>
          </form>
          <form method="post" action={`/console/users/${u.id}/password`} class="row">
            <CsrfField token={csrf} />
            <input name="password" type="password" autocomplete="new-password" placeholder="new password" aria-label={`new password for ${u.email}`} required minlength={10} />
            <button type="submit">Reset password</button>
          </form>
        </div>
      </td>
    </tr>
  );
}
