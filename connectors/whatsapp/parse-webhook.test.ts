import { describe, expect, it } from 'vitest';
import { parseWhatsAppDelivery } from './parse-webhook.ts';

/** `smb_message_echoes` (coexistence numbers): replies typed in the WhatsApp Business app. */
const PHONE = '106540352242922';
const config = { phoneNumbers: [{ id: PHONE, displayNumber: '+1 555 078 3881' }] };

const echoes = (echo: Record<string, unknown>, phoneNumberId = PHONE) =>
  Buffer.from(
    JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'smb_message_echoes', value: { metadata: { phone_number_id: phoneNumberId }, message_echoes: [echo] } }] }],
    }),
  );

describe('whatsapp message echoes', () => {
  it('become our outgoing message in the customer’s thread, keyed on the business-scoped id when present', () => {
    const parsed = parseWhatsAppDelivery(
      echoes({ from: '15550783881', to: '48600100200', to_user_id: 'PL.123', id: 'wamid.e1', timestamp: '1749416500', type: 'image', image: { id: 'media-1', caption: 'Blue one' } }),
      config,
    );
    expect(parsed.eventId).toBe('wamid.e1');
    expect(parsed.hints).toEqual([
      {
        kind: 'conversation',
        externalThreadId: `${PHONE}:PL.123`,
        snapshot: expect.objectContaining({
          customer: { externalId: 'PL.123', phone: '+48600100200' },
          messages: [expect.objectContaining({ externalId: 'wamid.e1', direction: 'out', isEcho: true, text: 'Blue one', type: 'image', author: '15550783881' })],
        }),
      },
    ]);
  });

  it('are ignored for a number this connection does not serve, and refused without a recipient', () => {
    const other = parseWhatsAppDelivery(echoes({ from: '1', to: '2', id: 'wamid.e2', timestamp: '1', type: 'text', text: { body: 'x' } }, '999'), config);
    expect(other.hints).toEqual([]);
    expect(other.ignored[0]).toMatch(/phone number 999/);
    expect(() => parseWhatsAppDelivery(echoes({ from: '1', id: 'wamid.e3', timestamp: '1', type: 'text', text: { body: 'x' } }), config)).toThrow(
      /message_echoes\.0\.to: neither to nor to_user_id/,
    );
  });
});
