import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { createRedactor } from './redact.ts';

describe('redaction', () => {
  it('scrubs known secret values and URL passwords', () => {
    const redact = createRedactor(['shpat_abcdef123456']);
    expect(redact('token shpat_abcdef123456 sent')).toBe('token [redacted] sent');
    expect(redact('postgres://omnihub:hunter2@db:5432/x')).toBe('postgres://omnihub:[redacted]@db:5432/x');
  });

  it('keeps secrets out of every log line, including error messages and nested fields', () => {
    const lines: string[] = [];
    const log = createLogger({ format: 'json', secrets: ['s3cr3t-token'], destination: { write: (l) => lines.push(l) } });
    log.error({ err: new Error('auth failed with s3cr3t-token'), req: { authorization: 'Bearer xyz' } }, 'call failed');
    log.info({ url: 'redis://:s3cr3t-token@127.0.0.1:6379' }, 'connecting');
    const out = lines.join('');
    expect(out).not.toContain('s3cr3t-token');
    expect(out).not.toContain('Bearer xyz');
    expect(out).toContain('[redacted]');
    expect(lines).toHaveLength(2);
  });
});
