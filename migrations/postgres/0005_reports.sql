-- The report queue, shared by every instance on one database (DESIGN.md §6 Report): a task is
-- claimed with a lease by one owner, renewed while it works, taken over when the lease runs
-- out, and its writes are fenced by `attempts` (the claim's token). `cancel_requested` is how
-- a cancel reaches a task another instance runs; `checkpoint` holds the finished chapters to
-- resume from, `document` the final typed document.
ALTER TABLE report_tasks
    ADD COLUMN custom_template TEXT,
    ADD COLUMN owner TEXT,
    ADD COLUMN lease_until BIGINT,
    ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN checkpoint TEXT,
    ADD COLUMN document TEXT;
-- A claim looks for the oldest pending (or expired running) task; the history keeps
-- idx_report_tasks_created.
CREATE INDEX idx_report_tasks_claim ON report_tasks (status, created_at);

-- Evidence sets: what an analysis (or a report task) found, each item by reference with a
-- snapshot, and the figures computed from them once. `set_id` is an analysis's or a report
-- task's id, with no foreign key since it may be either. `kind`/`item_id` are storage's
-- ItemRef (post, comment, news, web) and its id as text.
CREATE TABLE evidence_sets (
    set_id     TEXT   PRIMARY KEY,
    definition TEXT   NOT NULL,
    stats      TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE evidence_items (
    set_id   TEXT   NOT NULL REFERENCES evidence_sets (set_id) ON DELETE CASCADE,
    rank     BIGINT NOT NULL,
    kind     TEXT   NOT NULL,
    item_id  TEXT   NOT NULL,
    snapshot TEXT   NOT NULL,
    PRIMARY KEY (set_id, rank)
);
