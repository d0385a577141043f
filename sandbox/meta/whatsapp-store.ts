import { createHash, randomBytes } from 'node:crypto';
import { LeakyBucket } from '../common/rate-limit.ts';

/**
 * WhatsApp Cloud API state: business accounts (WABAs) with their phone numbers and templates, the users who wrote
 * to each number (the 24 h customer-service window is per business number and user), sent/received messages with
 * their statuses, uploaded media, and the throughput buckets (per number, and per number–user pair).
 */
export interface WaPhoneNumber {
  id: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  throughputMps: number;
  bucket: LeakyBucket;
}

export interface WaTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  components: Array<Record<string, unknown>>;
}

export interface Waba {
  id: string;
  templates: WaTemplate[];
}

export interface WaUser {
  /** Phone-number id; absent for username users who hid their number (2026). */
  waId?: string;
  /** Business-scoped user id (BSUID), always present since April 2026. */
  userId: string;
  name: string;
  lastInboundAt: Record<string, number>;
}

export interface WaMessage {
  id: string;
  phoneNumberId: string;
  direction: 'in' | 'out';
  userId: string;
  waId?: string;
  type: string;
  at: number;
  body: Record<string, unknown>;
  status?: 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';
  errorCode?: number;
  category?: string;
}

export interface WaMedia {
  id: string;
  phoneNumberId: string;
  mimeType: string;
  sha256: string;
  fileSize: number;
  bytes: Buffer;
}

/** Country prefix of a BSUID, from the calling code (a few markets; the rest default to US). */
function bsuidCountry(waId: string): string {
  const prefixes: Array<[string, string]> = [['48', 'PL'], ['49', 'DE'], ['44', 'GB'], ['33', 'FR'], ['39', 'IT'], ['34', 'ES'], ['1', 'US']];
  return prefixes.find(([p]) => waId.startsWith(p))?.[1] ?? 'US';
}

/** A stable BSUID for a phone number within this simulated business portfolio. */
export function bsuidFor(waId: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(`bsuid:${waId}`).digest('hex').slice(0, 16)}`).toString().padStart(20, '0').slice(0, 20);
  return `${bsuidCountry(waId)}.${digits}`;
}

export const BSUID_RE = /^[A-Z]{2}\.(?:ENT\.)?\d{5,}$/;

export function newWamid(): string {
  return `wamid.${Buffer.concat([Buffer.from('HBgL'), randomBytes(30)]).toString('base64')}`;
}

export class WhatsAppStore {
  readonly wabas = new Map<string, Waba>();
  readonly phoneNumbers = new Map<string, WaPhoneNumber>();
  readonly users: WaUser[] = [];
  readonly messages: WaMessage[] = [];
  readonly media = new Map<string, WaMedia>();
  private readonly pairBuckets = new Map<string, LeakyBucket>();
  private nextId = 900_000_000_000_000;

  constructor(
    private readonly now: () => number,
    private readonly limits: () => { scale: number; pairBurst: number; pairIntervalMs: number },
  ) {}

  reset(): void {
    this.wabas.clear();
    this.phoneNumbers.clear();
    this.users.length = 0;
    this.messages.length = 0;
    this.media.clear();
    this.pairBuckets.clear();
  }

  newId(): string {
    return String(this.nextId++);
  }

  addPhoneNumber(wabaId: string, id: string, display: string, verifiedName: string, mps: number): WaPhoneNumber {
    const scaled = mps * this.limits().scale;
    const pn: WaPhoneNumber = { id, wabaId, displayPhoneNumber: display, verifiedName, throughputMps: mps, bucket: new LeakyBucket(scaled, scaled, this.now) };
    this.phoneNumbers.set(id, pn);
    return pn;
  }

  /** Finds a user by phone (`wa_id`) or BSUID; creates them when `create` (a send to a number nobody seeded). */
  findUser(key: { waId?: string; userId?: string }): WaUser | undefined {
    return this.users.find((u) => (key.waId !== undefined && u.waId === key.waId) || (key.userId !== undefined && u.userId === key.userId));
  }

  ensureUser(key: { waId?: string; userId?: string }, name = 'WhatsApp User'): WaUser {
    const found = this.findUser(key);
    if (found) return found;
    const u: WaUser = {
      ...(key.waId ? { waId: key.waId } : {}),
      userId: key.userId ?? bsuidFor(key.waId ?? randomBytes(8).toString('hex')),
      name,
      lastInboundAt: {},
    };
    this.users.push(u);
    return u;
  }

  /** Pair rate: a burst of `pairBurst` messages to one user, then one per `pairIntervalMs` (scaled). */
  takePair(phoneNumberId: string, userId: string): boolean {
    const key = `${phoneNumberId}:${userId}`;
    let b = this.pairBuckets.get(key);
    if (!b) {
      const { scale, pairBurst, pairIntervalMs } = this.limits();
      b = new LeakyBucket(pairBurst, (1000 / pairIntervalMs) * scale, this.now);
      this.pairBuckets.set(key, b);
    }
    return b.tryTake(1);
  }
}
