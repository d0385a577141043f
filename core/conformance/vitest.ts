import { afterAll, beforeAll, describe, it } from 'vitest';
import type { DatabaseFactory } from './engine.ts';
import { CHECKS, type ConformanceHarness, conformanceSession } from './kit.ts';

/**
 * Runs the conformance kit as a vitest suite: one test per invariant, skipped (with the reason) only when the
 * connector lacks the capability it needs.
 */
export function runConformance(harness: () => ConformanceHarness | Promise<ConformanceHarness>, options: { database: DatabaseFactory; redisUrl?: string }): void {
  describe('conformance kit', () => {
    let session: ReturnType<typeof conformanceSession> | undefined;
    let ready: Promise<ReturnType<typeof conformanceSession>>;
    beforeAll(async () => {
      ready = Promise.resolve(harness()).then((h) => conformanceSession(h, options));
      session = await ready;
      await session.setup();
    });
    afterAll(async () => {
      await session?.teardown();
    });
    for (const name of Object.values(CHECKS)) {
      it(name, async (ctx) => {
        const check = (await ready).checks.find((c) => c.name === name)!;
        // Not applicable to this connector (it lacks the capability): reported as skipped, with the reason.
        if (check.skip) ctx.skip(`not applicable: ${check.skip}`);
        await check.run();
      });
    }
  });
}
