"""Concessions: due-date extension (延期), waivers of late fees and interest (减免), settlements.

Design, in short (see operations.py for the doors, rules.py for the pure rules):

- Extension. A new nullable column, Statement.extended_due_date: the statement keeps the due date it
  was issued with (history is not edited) and the delinquency step counts days past due from
  COALESCE(extended_due_date, due_date). A column rather than a separate extension table keeps the
  cycle's set-based DPD query a single-table read with no dependency of the cycle on this app; the
  Concession row records each statement's date before and after, so a reversal can restore it.
  Only statements already past due (late fee charged) are extended.
- Waivers are new ledger entries (ledger/adjustments.py): FEE_WAIVER on the fees, ADJUSTMENT with
  the rule "interest_waiver" on the interest; never more than the component owed nor the late fees
  charged and not yet waived; reversed with the ledger's reverse_entry.
- Settlement: an agreed sum below the balance, paid in 1-6 payments by dates (within 180 days).
  An account step of the daily cycle (judge_settlements) settles it once the payments posted since
  the grant reach the sum: the rest is written off (ADJUSTMENT entries, "settlement_write_off"), the
  unpaid minimums are cleared, the account is closed and, with nothing else past due, the case too.
  Not paid by the last date: it lapses, the balance stays owed and the budget is given back.
- Authority. AuthorityRule rows (admin): role x product (or any) x bucket range x kind -> most
  amount (fen), most share of the balance, most days. The cost measured is the waived or written-off
  amount (extension: days). Product rows override any-product rows. Within a row the concession is
  granted at once and audited with the row's id; otherwise it becomes an ApprovalRequest to the next
  role up: collector / customer service / credit assessor -> team lead -> administrator. An approver
  whose own rows do not cover it passes it further up; nobody above the administrator (refused).
  Maker and checker differ (checked, and a database constraint). Pending requests expire after
  APPROVAL_EXPIRY_DAYS (7): on read, on a decision, and by the cycle step expire_approvals.
- Budget. TeamBudget per team and month (the case's team): spent at the grant, inside the grant's
  transaction, after SELECT ... FOR UPDATE of the budget row (PostgreSQL; SQLite's IMMEDIATE
  transaction serialises writers), and a CHECK constraint spent <= limit as the last guard.
  No budget row for the team and month: the matrix alone limits.
- Customer summary: rules.summarise() builds zh-Hans and English text (what is owed now, what
  changes, what happens if a payment is missed), stored on the concession and shown on the 360 page;
  queries.summary_for_customer(concession) gives the text in the customer's language for outreach.
"""
