import type { Database } from '../../core/store/database.ts';

export interface SeedSizes {
  conversations: number;
  messages: number;
  /** Messages of the one long thread (conversation 1); the rest are spread evenly over the other conversations. */
  longThread: number;
  agents: number;
}

export interface Seeded {
  conversations: number;
  messages: number;
  customers: number;
  identities: number;
  orders: number;
  agentIds: string[];
  longThreadId: string;
  typicalThreadId: string;
  /** A word in about 20 messages, and a tracking number in exactly one. */
  rareWord: string;
  uniqueToken: string;
  /** `last_message_at` of the conversation about three quarters down the list, for a deep keyset page. */
  deepBefore: string;
}

const sqlArray = (items: string[]) => `ARRAY[${items.map((s) => `'${s.replaceAll("'", "''")}'`).join(', ')}]`;

const FIRST = ['Anna', 'Piotr', 'Maria', 'Jan', 'Katarzyna', 'Tomasz', 'Ewa', 'Marek', 'Sophie', 'Lukas', 'Emma', 'Noah', 'Olga', 'Ivan', 'Lena', 'Mateo', 'Chloe', 'Hugo', 'Zofia', 'Adam'];
const LAST = ['Kowalska', 'Nowak', 'Wisniewski', 'Muller', 'Schmidt', 'Dubois', 'Martin', 'Rossi', 'Garcia', 'Smith', 'Jones', 'Novak', 'Horvat', 'Jensen', 'Berg', 'Silva', 'Costa', 'Meyer', 'Fischer', 'Weber'];
const PRODUCTS = ['linen shirt', 'wool sweater', 'leather boots', 'ceramic mug', 'oak side table', 'running shoes', 'denim jacket', 'silk scarf', 'cotton hoodie', 'desk lamp', 'canvas backpack', 'winter coat'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL', '38', '40', '42', '44'];
const CITIES = ['Warsaw', 'Krakow', 'Berlin', 'Vienna', 'Prague', 'Lyon', 'Milan', 'Madrid', 'Lisbon', 'Oslo'];
// %1$s product, %2$s size, %3$s order number, %4$s days, %5$s city, %6$s first name, %7$s tracking number.
const IN = [
  'Hello, is the %1$s still available in size %2$s? I would like to order two.',
  'Where is my order #%3$s? I paid %4$s days ago and the tracking shows nothing.',
  'The %1$s arrived damaged, the parcel was torn open. Can I get a refund or a replacement?',
  'Can I return the %1$s? It does not fit, size %2$s is too small.',
  'Do you ship to %5$s? How long does delivery take for the %1$s?',
  'I ordered the %1$s in the wrong colour, can you change my order #%3$s before shipping?',
  'Is there a discount if I buy three of the %1$s?',
  'Thank you, the %1$s is lovely. Will you have it in size %2$s again?',
  'My parcel with order #%3$s says delivered but I did not get it. Please check with the courier.',
  'Can I pay for the %1$s on delivery, or only by card?',
];
const OUT = [
  'Hi %6$s, thank you for your message. Your order #%3$s was shipped today, the tracking number is ZX%7$s.',
  'We are sorry the %1$s was damaged. We have started a refund; you will see it within 3 working days.',
  'Yes, the %1$s is available in size %2$s. You can order it in our shop today.',
  'We ship to %5$s by courier, delivery takes 2 to 4 working days.',
  'Please send the %1$s back with the return form from the parcel; the refund follows when it arrives.',
  'Hi %6$s, we changed your order #%3$s, you will get a new confirmation by e-mail.',
];
const NOTES = ['Customer called about the %1$s, escalate to the warehouse.', 'Repeat buyer, offer free shipping on order #%3$s.', 'Courier claim opened for order #%3$s.'];
const CHANNEL_OF = (channels: readonly string[], g: string) => `(${sqlArray([...channels])})[1 + ${g} % ${channels.length}]`;

/**
 * A realistic inbox in a few set-based statements (generate_series), the identity-link trigger on. Deterministic: row g of each table
 * gets its id from md5(kind-g) (see `id`), so the statements join by index without lookups.
 */
export async function seedInbox(db: Database, s: SeedSizes, channels: readonly string[]): Promise<Seeded> {
  const N = s.conversations;
  const customers = Math.round(N * 0.7);
  const rest = s.messages - s.longThread;
  const perConv = Math.ceil(rest / (N - 1));
  // md5 with the version-4 and variant nibbles set: the pages accept only RFC 9562 UUIDs, as gen_random_uuid makes.
  const id = (kind: string, g: string) => `overlay(overlay(md5('${kind}-' || ${g}) placing '4' from 13) placing 'a' from 17)::uuid`;
  const first = (g: string) => `(${sqlArray(FIRST)})[1 + ${g} % ${FIRST.length}]`;
  const last = (g: string) => `(${sqlArray(LAST)})[1 + (${g} * 7 / ${FIRST.length}) % ${LAST.length}]`;

  await db.query(
    `INSERT INTO web_users (id, email, name, role, password_hash)
     SELECT ${id('user', 'g')}, 'agent' || g || '@shop.example', ${first('(g * 3)')} || ' (agent ' || g || ')', 'agent', 'scrypt$bench$no-sign-in'
       FROM generate_series(1, ${s.agents}) g`,
  );
  await db.query(
    `INSERT INTO customers (id, display_name, email, phone)
     SELECT ${id('cust', 'g')}, ${first('g')} || ' ' || ${last('g')}, lower(${first('g')} || '.' || ${last('g')} || '.' || g || '@example.com'),
            '+48 6' || lpad(g::text, 8, '0')
       FROM generate_series(1, ${customers}) g`,
  );
  // One identity per conversation. The first 70 % each have a customer of their own (one in ten unverified, so not
  // linked: merge suggestions); the rest are the same people on a second channel, linked by e-mail or phone.
  await db.query(
    `INSERT INTO customer_identities (id, customer_id, connection, external_id, display_name, email, phone, verified, linked_by, linked_at)
     SELECT ${id('ident', 'g')}, CASE WHEN verified THEN ${id('cust', 'k')} END, ${CHANNEL_OF(channels, 'g')},
            'ext-' || g, ${first('k')} || ' ' || ${last('k')},
            lower(${first('k')} || '.' || ${last('k')} || '.' || k || '@example.com'), '+48 6' || lpad(k::text, 8, '0'),
            verified, CASE WHEN verified THEN (CASE WHEN g % 2 = 0 THEN 'email' ELSE 'phone' END) END, CASE WHEN verified THEN now() END
       FROM (SELECT g, CASE WHEN g <= ${customers} THEN g ELSE (g - ${customers}) * 2 END AS k, (g > ${customers} OR g % 10 <> 0) AS verified
               FROM generate_series(1, ${N}) g) x`,
  );
  const orders = customers;
  await db.query(
    `INSERT INTO orders (id, connection, external_id, number, status, customer_id, currency, total, placed_at, raw)
     SELECT ${id('order', 'g')}, ${CHANNEL_OF(channels, '(g + 1)')}, 'o-' || g, (100000 + g)::text,
            (ARRAY['open', 'paid', 'fulfilled', 'fulfilled', 'cancelled'])[1 + g % 5], ${id('cust', 'g')}, 'PLN', 49.99 + g % 400,
            now() - (g % 180) * interval '1 day',
            jsonb_build_object('customer', jsonb_build_object('externalId', 'ext-' || g, 'email', lower(${first('g')} || '.' || ${last('g')} || '.' || g || '@example.com')))
       FROM generate_series(1, ${orders}) g`,
  );
  await db.query(
    `INSERT INTO order_lines (order_id, external_line_id, sku, title, quantity, unit_price)
     SELECT ${id('order', 'g')}, 'l' || n, 'SKU-' || (g % 2500) || '-' || n, initcap((${sqlArray(PRODUCTS)})[1 + (g + n) % ${PRODUCTS.length}]), 1 + n % 2, 49.99
       FROM generate_series(1, ${orders}) g, generate_series(1, 2) n`,
  );
  // 40 % resolved, 35 % open, 25 % pending; 30 % unassigned; unread only where an answer is due. Hashed, so that
  // status and assignee do not follow the channel (g % 4).
  await db.query(
    `INSERT INTO conversations (id, connection, external_thread_id, identity_id, customer_id, subject, status, assignee_id, order_id, unread_count)
     SELECT ${id('conv', 'g')}, ${CHANNEL_OF(channels, 'g')}, 't-' || g, ${id('ident', 'g')}, i.customer_id,
            CASE WHEN ${CHANNEL_OF(channels, 'g')} IN ('allegro', 'prestashop') THEN 'Question about the ' || (${sqlArray(PRODUCTS)})[1 + g % ${PRODUCTS.length}] END,
            st, CASE WHEN abs(hashint4(g + 7919)) % 10 >= 3 THEN ${id('user', `(1 + abs(hashint4(g + 104729)) % ${s.agents})`)} END,
            CASE WHEN g % 3 = 0 AND g <= ${orders} THEN ${id('order', 'g')} END,
            CASE WHEN st = 'resolved' THEN 0 ELSE (g * 7) % 6 END
       FROM (SELECT g, CASE WHEN abs(hashint4(g)) % 100 < 40 THEN 'resolved' WHEN abs(hashint4(g)) % 100 < 75 THEN 'open' ELSE 'pending' END AS st
               FROM generate_series(1, ${N}) g) x
       JOIN customer_identities i ON i.id = ${id('ident', 'g')}`,
  );
  // Nobody listens for live updates while seeding: one pg_notify per message row would only slow the insert down.
  await db.query('ALTER TABLE messages DISABLE TRIGGER messages_inbox_notify');
  // Conversation c's messages sit in its own 25-minute slot (c = 1 newest), the long thread over the last days.
  await db.query(
    `INSERT INTO messages (conversation_id, external_id, direction, author, body, attachments, delivery_status, failure_reason, sent_at, created_at)
     SELECT ${id('conv', 'c')}, CASE WHEN dir <> 'note' THEN 'm-' || g END, dir,
            CASE WHEN dir = 'in' THEN ${first('c')} ELSE ${first('(c * 3)')} END,
            format(CASE dir WHEN 'in' THEN (${sqlArray(IN)})[1 + (g * 7) % ${IN.length}]
                            WHEN 'out' THEN (${sqlArray(OUT)})[1 + (g * 11) % ${OUT.length}]
                            ELSE (${sqlArray(NOTES)})[1 + g % ${NOTES.length}] END,
                   (${sqlArray(PRODUCTS)})[1 + (c + pos / 6) % ${PRODUCTS.length}], (${sqlArray(SIZES)})[1 + g % ${SIZES.length}], (100000 + c % ${orders})::text,
                   (2 + g % 9)::text, (${sqlArray(CITIES)})[1 + c % ${CITIES.length}], ${first('c')}, (1000000 + g)::text)
              || CASE WHEN g % 10007 = 0 THEN ' Could it be repaired like kintsugi?' ELSE '' END,
            CASE WHEN dir = 'in' AND g % 23 = 0 THEN jsonb_build_array(jsonb_build_object('kind', 'image', 'url', 'https://cdn.example/m/' || g || '.jpg', 'name', 'photo.jpg', 'mimeType', 'image/jpeg')) ELSE '[]'::jsonb END,
            CASE WHEN dir = 'out' THEN (ARRAY['read', 'read', 'delivered', 'sent', 'read', 'failed'])[1 + g % 6] END,
            CASE WHEN dir = 'out' AND g % 6 = 5 THEN 'the channel refused the message: recipient unavailable' END,
            at, at
       FROM (SELECT g, c, pos,
                    CASE WHEN pos % 9 = 8 THEN 'note' WHEN pos % 2 = 0 THEN 'in' ELSE 'out' END AS dir,
                    CASE WHEN c = 1 THEN now() - (${s.longThread} - pos) * interval '2 minutes'
                         ELSE now() - c * interval '25 minutes' - (${perConv} - pos) * interval '1 minute' END AS at
               FROM (SELECT g,
                            CASE WHEN g <= ${s.longThread} THEN 1 ELSE 2 + (g - ${s.longThread} - 1) % ${N - 1} END AS c,
                            CASE WHEN g <= ${s.longThread} THEN g ELSE (g - ${s.longThread} - 1) / ${N - 1} END AS pos
                       FROM generate_series(1, ${s.messages}) g) y) x`,
  );
  await db.query('ALTER TABLE messages ENABLE TRIGGER messages_inbox_notify');
  await db.query(
    `UPDATE conversations c SET last_message_at = m.last_at, last_customer_message_at = m.last_in
       FROM (SELECT conversation_id, max(created_at) FILTER (WHERE direction <> 'note') AS last_at, max(created_at) FILTER (WHERE direction = 'in') AS last_in
               FROM messages GROUP BY conversation_id) m
      WHERE m.conversation_id = c.id`,
  );
  await db.query(
    `INSERT INTO conversation_events (conversation_id, kind, actor, details, at)
     SELECT c.id, 'assigned', 'Bench Admin', jsonb_build_object('to', c.assignee_id, 'toName', u.name), c.last_message_at - interval '3 minutes'
       FROM conversations c JOIN web_users u ON u.id = c.assignee_id`,
  );
  await db.query('ANALYZE');

  const one = async <T>(sql: string): Promise<T> => (await db.query<{ v: T }>(sql)).rows[0]!.v;
  const uniqueToken = await one<string>(`SELECT substring(body from 'ZX[0-9]+') AS v FROM messages WHERE body LIKE '%tracking number is ZX%' ORDER BY created_at LIMIT 1 OFFSET 500`);
  return {
    conversations: await one<number>('SELECT count(*)::int AS v FROM conversations'),
    messages: await one<number>('SELECT count(*)::int AS v FROM messages'),
    customers: await one<number>('SELECT count(*)::int AS v FROM customers'),
    identities: await one<number>('SELECT count(*)::int AS v FROM customer_identities'),
    orders: await one<number>('SELECT count(*)::int AS v FROM orders'),
    agentIds: (await db.query<{ id: string }>(`SELECT id FROM web_users WHERE role = 'agent' ORDER BY email`)).rows.map((r) => r.id),
    longThreadId: await one<string>(`SELECT ${id('conv', '1')}::text AS v`),
    typicalThreadId: await one<string>(`SELECT ${id('conv', String(Math.floor(N / 2)))}::text AS v`),
    rareWord: 'kintsugi',
    uniqueToken: uniqueToken.toLowerCase(),
    deepBefore: (await one<Date>(`SELECT last_message_at AS v FROM conversations ORDER BY last_message_at DESC LIMIT 1 OFFSET ${Math.floor(N * 0.75)}`)).toISOString(),
  };
}
