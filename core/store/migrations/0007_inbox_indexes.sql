-- The inbox list orders by `last_message_at DESC NULLS LAST, id` (newest activity first, conversations without a
-- message last). The indexes of 0001/0004 are `DESC` (NULLS FIRST), which cannot serve that order, so every list
-- page sorted all matching conversations. With these the page is an ordered index walk that stops after 50 rows,
-- also when a search checks each conversation for a matching message in that order.
CREATE INDEX conversations_activity ON conversations (last_message_at DESC NULLS LAST, id);
CREATE INDEX conversations_status_activity ON conversations (status, last_message_at DESC NULLS LAST, id);
