-- Report tasks as a queue shared by instances (owner, lease, claim count, cancel flag), with
-- their checkpoint and document; evidence sets of analyses and report tasks.
ALTER TABLE report_tasks ADD COLUMN custom_template TEXT;
ALTER TABLE report_tasks ADD COLUMN owner TEXT;
ALTER TABLE report_tasks ADD COLUMN lease_until BIGINT;
ALTER TABLE report_tasks ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_tasks ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_tasks ADD COLUMN checkpoint TEXT;
ALTER TABLE report_tasks ADD COLUMN document TEXT;
CREATE INDEX idx_report_tasks_queue ON report_tasks (status, created_at);

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
