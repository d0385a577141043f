/**
 * The connector SDK: the only module a connector imports from the hub.
 * See define-connector.ts for the contract, capabilities.ts for when each method is called, errors.ts for what a
 * thrown error does, and testing.ts for the helpers a connector's tests use.
 */
export { defineConnector, type ConnectorDefinition } from './define-connector.ts';
export type * from './capabilities.ts';
export type * from './context.ts';
export type { HttpDeclaration } from './http.ts';
export { loggableUrl } from './http.ts';
export type { WebhookRequest, Webhooks, Verification } from './webhooks.ts';
export * from './errors.ts';
export * from './model.ts';
export { memoryRateLimiter, unlimited, type RateLimit, type RateLimiter } from './rate-limiter.ts';
export { secret, Secret } from './secret.ts';
export { createTestContext, type TestContext } from './testing.ts';
export { hmac, safeEqual } from './signatures.ts';
