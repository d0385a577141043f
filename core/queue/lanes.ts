/**
 * Work is split into lanes, each its own queue with its own workers, so a bulk catalogue sync can never starve
 * order intake or customer messages.
 * - `inbound`: hints from webhooks and polls → hydrate from the channel → canonical.
 * - `outbound`: canonical → channel writes.
 * - `sweeps`: scheduled full reconciles and polls.
 * - `inbox`: customer message delivery.
 */
export const LANES = ['inbound', 'outbound', 'sweeps', 'inbox'] as const;
export type Lane = (typeof LANES)[number];
