-- 0007_member_extra.sql — additions of the member module (issue 4) to 0006_member.sql.
--
-- field_key_check: one row with a fingerprint of the field-encryption key (HMAC-SM3 of a fixed
-- label under the MAC key derived from the master key; it reveals nothing of the key). Written
-- the first time the server starts with a key; a later start with a different key is refused,
-- so sealed ID numbers and phones are never written under two keys, and a lost "<db>.key" file
-- is noticed at start rather than at the first failed decryption.
CREATE TABLE field_key_check (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT {{NOW}}
);

-- The open span of a membership is looked up on every event; lists as of a day scan spans by
-- org (membership_span_org) and then by date.
CREATE INDEX membership_span_open ON membership_span (membership_id, valid_to);
-- Lists sort by name within an org and filter on the join date.
CREATE INDEX membership_joined ON membership (joined_on);
