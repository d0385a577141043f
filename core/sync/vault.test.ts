import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decrypt, encrypt, vaultKey } from './vault.ts';

describe('vault encryption', () => {
  it('round-trips, and refuses a tampered value or a wrong key', () => {
    const key = vaultKey('/nonexistent', { OMNIHUB_SECRET_KEY: 'k1' });
    const sealed = encrypt(key, 'refresh-token-123');
    expect(sealed).not.toContain('refresh-token-123');
    expect(decrypt(key, sealed)).toBe('refresh-token-123');
    const [iv, tag, data] = sealed.split('.');
    const flipped = `${iv}.${tag}.${data!.slice(0, -2)}${data!.endsWith('A') ? 'B' : 'A'}${data!.slice(-1)}`;
    expect(() => decrypt(key, flipped)).toThrow(/cannot decrypt/);
    expect(() => decrypt(vaultKey('/nonexistent', { OMNIHUB_SECRET_KEY: 'k2' }), sealed)).toThrow(/wrong OMNIHUB_SECRET_KEY/);
  });

  it('without OMNIHUB_SECRET_KEY keeps a private key file in the data folder, stable across restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnihub-vault-'));
    const k1 = vaultKey(dir, {});
    expect(vaultKey(dir, {})).toEqual(k1);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
  });
});
