/**
 * A WhatsApp conversation is a customer *and* one of our business numbers: the 24 h window, the pair rate and
 * the sender all belong to that pair. The thread id carries both: `<phone_number_id>:<customer key>`, where the
 * customer key is the business-scoped user id (BSUID, since 2026) or, for older payloads, the phone (`wa_id`).
 */
export function threadId(phoneNumberId: string, customerKey: string): string {
  return `${phoneNumberId}:${customerKey}`;
}

export function parseThreadId(thread: string): { phoneNumberId: string; customerKey: string } | undefined {
  const at = thread.indexOf(':');
  if (at <= 0 || at === thread.length - 1) return undefined;
  return { phoneNumberId: thread.slice(0, at), customerKey: thread.slice(at + 1) };
}
