-- Sign-in for the web inbox and console, and what the inbox needs beyond the conversation tables of 0001.

CREATE TABLE web_users (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email          text NOT NULL,
  name           text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'agent')),
  password_hash  text NOT NULL,                            -- "scrypt$N$r$p$salt$hash" (parameters recorded, so they can be raised)
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX web_users_email ON web_users (lower(email));

-- The cookie carries a random 256-bit token; only its SHA-256 is stored, so a leaked table opens no session.
CREATE TABLE web_sessions (
  token_hash    text PRIMARY KEY,
  user_id       uuid NOT NULL REFERENCES web_users(id) ON DELETE CASCADE,
  csrf_secret   text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  ip            text,
  user_agent    text
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

-- Every sign-in attempt, for rate limiting per account and per address (and for the audit trail).
CREATE TABLE web_login_attempts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email       text NOT NULL,
  ip          text NOT NULL,
  succeeded   boolean NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX web_login_attempts_email ON web_login_attempts (lower(email), at) WHERE NOT succeeded;
CREATE INDEX web_login_attempts_ip ON web_login_attempts (ip, at) WHERE NOT succeeded;

CREATE TABLE canned_responses (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title       text NOT NULL UNIQUE,
  body        text NOT NULL,
  created_by  uuid REFERENCES web_users(id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Every link, merge and un-merge of an identity, so any of them can be explained and undone.
CREATE TABLE customer_merges (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  action            text NOT NULL CHECK (action IN ('link', 'merge', 'unmerge')),
  identity_id       uuid NOT NULL,                         -- no FK: the link trigger records it before the row exists
  from_customer_id  uuid,
  to_customer_id    uuid,
  reason            text NOT NULL,                         -- 'email' | 'phone' | 'manual'
  actor             text NOT NULL,                         -- a user's e-mail, or 'hub' for automatic links
  at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_merges_identity ON customer_merges (identity_id, at);
CREATE INDEX customer_merges_customers ON customer_merges (to_customer_id, at);

-- Assignment and status changes, shown in the thread beside the messages.
CREATE TABLE conversation_events (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id  uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  kind             text NOT NULL CHECK (kind IN ('assigned', 'status')),
  actor            text NOT NULL,
  details          jsonb NOT NULL DEFAULT '{}'::jsonb,
  at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_events_conversation ON conversation_events (conversation_id, at);

ALTER TABLE conversations ADD COLUMN assignee_id uuid REFERENCES web_users(id) ON DELETE SET NULL;
CREATE INDEX conversations_status_recent ON conversations (status, last_message_at DESC);
CREATE INDEX conversations_assignee ON conversations (assignee_id, last_message_at DESC);

-- Replies the inbox sends: who wrote them, how they were sent (template / tag), and how many attempts were made.
ALTER TABLE messages ADD COLUMN author_user_id uuid REFERENCES web_users(id) ON DELETE SET NULL;
ALTER TABLE messages ADD COLUMN send_options jsonb;
ALTER TABLE messages ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN last_attempt_at timestamptz;

-- Live updates: any change to a conversation or its messages tells listening inboxes which conversation moved.
-- A trigger (rather than calls in the engine) also covers writes from other processes (`omnihub worker`).
CREATE FUNCTION omnihub_inbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'messages' THEN
    PERFORM pg_notify('omnihub_inbox', NEW.conversation_id::text);
  ELSE
    PERFORM pg_notify('omnihub_inbox', NEW.id::text);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER messages_inbox_notify AFTER INSERT OR UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION omnihub_inbox_notify();
CREATE TRIGGER conversations_inbox_notify AFTER INSERT OR UPDATE ON conversations FOR EACH ROW EXECUTE FUNCTION omnihub_inbox_notify();

-- Strong-key identity linking (DESIGN.md, "Inquiry"): an identity whose channel vouches for its e-mail or phone joins
-- the customer that already has a verified identity with the same e-mail or phone (phones compared by digits), or
-- starts a customer of its own. BEFORE, so the conversation ingest that upserts the identity sees the link at once.
-- Unverified identities are never linked automatically: the inbox suggests merges for them instead.
CREATE FUNCTION omnihub_link_identity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target uuid;
  why text;
BEGIN
  IF NEW.customer_id IS NOT NULL OR NOT NEW.verified OR (NEW.email IS NULL AND NEW.phone IS NULL) THEN
    RETURN NEW;
  END IF;
  SELECT i.customer_id,
         CASE WHEN NEW.email IS NOT NULL AND lower(i.email) = lower(NEW.email) THEN 'email' ELSE 'phone' END
    INTO target, why
    FROM customer_identities i
   WHERE i.customer_id IS NOT NULL AND i.verified AND i.id <> NEW.id
     AND ((NEW.email IS NOT NULL AND lower(i.email) = lower(NEW.email))
       OR (NEW.phone IS NOT NULL AND regexp_replace(i.phone, '\D', '', 'g') = regexp_replace(NEW.phone, '\D', '', 'g')))
   ORDER BY i.created_at
   LIMIT 1;
  IF target IS NULL THEN
    INSERT INTO customers (display_name, email, phone) VALUES (NEW.display_name, NEW.email, NEW.phone) RETURNING id INTO target;
    why := CASE WHEN NEW.email IS NOT NULL THEN 'email' ELSE 'phone' END;
  END IF;
  NEW.customer_id := target;
  NEW.linked_by := why;
  NEW.linked_at := now();
  INSERT INTO customer_merges (action, identity_id, to_customer_id, reason, actor) VALUES ('link', NEW.id, target, why, 'hub');
  UPDATE conversations SET customer_id = target WHERE identity_id = NEW.id AND customer_id IS NULL;
  RETURN NEW;
END $$;
CREATE TRIGGER customer_identities_link BEFORE INSERT OR UPDATE OF email, phone, verified, customer_id ON customer_identities
  FOR EACH ROW EXECUTE FUNCTION omnihub_link_identity();
CREATE INDEX customer_identities_email ON customer_identities (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX customer_identities_phone ON customer_identities (regexp_replace(phone, '\D', '', 'g')) WHERE phone IS NOT NULL;
