import { randomBytes } from 'node:crypto';

/**
 * Messenger state: Pages, the people (PSIDs) who wrote to each Page and when they last did, and every message in
 * either direction. `lastUserMessageAt` drives the messaging window (24 h standard, 7 days with HUMAN_AGENT).
 */
export interface MessengerUser {
  psid: string;
  name?: string;
  lastUserMessageAt?: number;
}

export interface MessengerPage {
  id: string;
  name: string;
  accessToken?: string;
  users: Map<string, MessengerUser>;
}

export interface MessengerMessage {
  mid: string;
  pageId: string;
  psid: string;
  direction: 'in' | 'out';
  at: number;
  text?: string;
  attachments?: unknown[];
  postback?: unknown;
  messagingType?: string;
  tag?: string;
  delivered?: boolean;
  read?: boolean;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function newMid(): string {
  return `m_${randomBytes(27).toString('base64url')}`;
}

export class MessengerStore {
  readonly pages = new Map<string, MessengerPage>();
  readonly messages: MessengerMessage[] = [];

  reset(): void {
    this.pages.clear();
    this.messages.length = 0;
  }

  upsertPage(id: string, name: string, accessToken?: string): MessengerPage {
    const page: MessengerPage = this.pages.get(id) ?? { id, name, users: new Map() };
    page.name = name;
    if (accessToken) page.accessToken = accessToken;
    this.pages.set(id, page);
    return page;
  }

  pageByToken(token: string): MessengerPage | undefined {
    return [...this.pages.values()].find((p) => p.accessToken === token);
  }

  user(page: MessengerPage, psid: string, name?: string): MessengerUser {
    let u = page.users.get(psid);
    if (!u) {
      u = { psid, ...(name ? { name } : {}) };
      page.users.set(psid, u);
    }
    return u;
  }
}
