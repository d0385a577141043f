import { z } from 'zod';

/**
 * How a simulator delivers webhooks to the hub: at least once, like the real channels. Tests turn up duplicates,
 * reordering and delay to prove the hub's dedup and level-triggered sync.
 */
export const deliveryPolicySchema = z.object({
  /** Probability (0–1) that a delivery is sent a second time. */
  duplicateRate: z.number().min(0).max(1).default(0),
  /** Deliveries are held and released in shuffled batches of this size (1 = in order). */
  reorderWindow: z.number().int().positive().default(1),
  /** Fixed delay before each delivery, in ms. */
  delayMs: z.number().int().nonnegative().default(0),
  /** Retries after a non-2xx answer or a network error, with `retryDelayMs` between tries. */
  retries: z.number().int().nonnegative().default(3),
  retryDelayMs: z.number().int().nonnegative().default(200),
});
export type DeliveryPolicy = z.infer<typeof deliveryPolicySchema>;

export interface WebhookDelivery {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryRecord extends WebhookDelivery {
  attempts: number;
  status: number | 'network-error';
  at: string;
}

/** Sends deliveries according to a policy; keeps a log the admin endpoint shows. */
export class WebhookSender {
  private policy: DeliveryPolicy = deliveryPolicySchema.parse({});
  private held: WebhookDelivery[] = [];
  private inFlight = new Set<Promise<void>>();
  readonly log: DeliveryRecord[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  setPolicy(policy: Partial<DeliveryPolicy>): DeliveryPolicy {
    this.policy = deliveryPolicySchema.parse({ ...this.policy, ...policy });
    return this.policy;
  }

  getPolicy(): DeliveryPolicy {
    return this.policy;
  }

  send(delivery: WebhookDelivery): void {
    this.held.push(delivery);
    if (this.random() < this.policy.duplicateRate) this.held.push(delivery);
    if (this.held.length >= this.policy.reorderWindow) this.release();
  }

  /** Releases everything held, shuffled when a reorder window is set. */
  release(): void {
    const batch = this.held.splice(0);
    if (this.policy.reorderWindow > 1) {
      for (let i = batch.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [batch[i], batch[j]] = [batch[j]!, batch[i]!];
      }
    }
    for (const d of batch) {
      const p = this.deliver(d).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  /** Waits until every delivery released so far has been answered or given up. */
  async drain(): Promise<void> {
    this.release();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async deliver(d: WebhookDelivery): Promise<void> {
    if (this.policy.delayMs > 0) await new Promise((r) => setTimeout(r, this.policy.delayMs));
    let status: number | 'network-error' = 'network-error';
    let attempts = 0;
    while (attempts <= this.policy.retries) {
      attempts++;
      try {
        const res = await fetch(d.url, { method: 'POST', headers: d.headers, body: d.body });
        await res.arrayBuffer();
        status = res.status;
        if (res.ok) break;
      } catch {
        status = 'network-error';
      }
      await new Promise((r) => setTimeout(r, this.policy.retryDelayMs));
    }
    this.log.push({ ...d, attempts, status, at: new Date().toISOString() });
  }
}
