-- 0008_transfer_extra.sql — what the transfer module (src/modules/transfer, issue 4 §4) needs
-- beyond the transfer and member_case tables of 0006_member.sql.
--
-- transfer: a member has at most one pending transfer (rule transfer.one_pending); the unique
-- partial index makes that hold under concurrent issues too.
CREATE UNIQUE INDEX transfer_one_pending ON transfer (membership_id) WHERE status = 'pending';
CREATE INDEX transfer_pending_issued ON transfer (status, issued_on);

-- transfer_letter_seq: the per-year sequence of transfer letter numbers ("组转〔2026〕0001号").
-- A letter takes its number with one upsert (INSERT … ON CONFLICT DO UPDATE … RETURNING) inside
-- the issuing transaction, so numbers are unique and without gaps unless an issue rolls back.
CREATE TABLE transfer_letter_seq (
    year INTEGER PRIMARY KEY,
    last_no INTEGER NOT NULL
);

-- member_case:
--   decision_note  why it was decided so (required for a dismissal: rule transfer.case_dismiss_note)
--   due_on         the day the rule made the case due (lost_contact_since + 6 months, or
--                  suspended_on + 2 years)
--   basis_on       the day the episode began (lost_contact_since for a suspension case,
--                  suspended_on for a removal case): one episode gets at most one case, so a
--                  dismissed case is not re-opened by the next day's scan, while a new episode
--                  (contact restored, then lost again) gets a new one.
ALTER TABLE member_case ADD COLUMN decision_note TEXT;
ALTER TABLE member_case ADD COLUMN due_on TEXT;
ALTER TABLE member_case ADD COLUMN basis_on TEXT;
CREATE UNIQUE INDEX member_case_one_open ON member_case (membership_id, kind) WHERE status = 'open';
CREATE UNIQUE INDEX member_case_episode ON member_case (membership_id, kind, basis_on);
CREATE INDEX member_case_status ON member_case (status, kind);
