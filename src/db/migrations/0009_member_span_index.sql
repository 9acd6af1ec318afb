-- 0009: two indexes that no query needs, each costing a B-tree insert per new member (the
-- import's index work is most of its write time: docs/performance.md, "Member import").
-- membership_span_open (membership_id, valid_to): every lookup of a member's spans goes
-- through membership_span_member (membership_id, valid_from); a member has a handful of spans,
-- so finding the open one needs no index of its own.
-- person_name (name): name search is a substring match (LIKE '%…%'), which cannot use it, and
-- lists sort by name after selecting a subtree; its inserts land in random order.
DROP INDEX membership_span_open;
DROP INDEX person_name;
