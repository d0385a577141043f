import type { Clock } from './clock.ts';

/**
 * Credentials of the simulated database. JSON-RPC accepts a user's password or one of their API keys
 * (`common.authenticate`, then on every `execute_kw`); JSON-2 accepts API keys only (bearer).
 *
 * Failed logins are throttled per client address as `res.users._assert_can_auth` does: after
 * `base.login_cooldown_after` (5) failures, logins are refused for `base.login_cooldown_duration` (60 s) — through
 * `authenticate` this shows as `false`, exactly like a wrong password. `rateLimitScale` shortens the cooldown.
 */
export interface Credential {
  uid: number;
  login: string;
  password: string;
  apiKeys: string[];
}

export class Auth {
  private users: Credential[] = [];
  private failures = new Map<string, { count: number; last: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly cooldownAfter: number,
    private readonly cooldownMs: number,
  ) {}

  add(c: Credential): void {
    this.users = this.users.filter((u) => u.uid !== c.uid && u.login !== c.login);
    this.users.push(c);
  }

  clear(): void {
    this.users = [];
    this.failures.clear();
  }

  /** `common.authenticate` / `common.login`: the uid, or false (wrong credentials or cooling down). */
  authenticate(login: unknown, secret: unknown, source: string): number | false {
    const f = this.failures.get(source);
    if (f && f.count >= this.cooldownAfter && this.clock() < f.last + this.cooldownMs) return false;
    const user = this.users.find((u) => u.login === login);
    if (user && typeof secret === 'string' && (user.password === secret || user.apiKeys.includes(secret))) {
      this.failures.delete(source);
      return user.uid;
    }
    this.failures.set(source, { count: (f?.count ?? 0) + 1, last: this.clock() });
    return false;
  }

  /** `security.check(db, uid, password)` on each `execute_kw`. */
  check(uid: unknown, secret: unknown): boolean {
    const user = this.users.find((u) => u.uid === uid);
    return !!user && typeof secret === 'string' && (user.password === secret || user.apiKeys.includes(secret));
  }

  /** JSON-2 bearer: API keys only. */
  bearer(key: string): number | undefined {
    return this.users.find((u) => u.apiKeys.includes(key))?.uid;
  }
}
