-- When a running analysis must have ended (its engines' timeout plus a margin). One still
-- `running` past it was left by a process that stopped without recording an ending (killed,
-- crashed); any node may then record it failed. Rows from before this column fall back to
-- a day after they were created.
ALTER TABLE analyses ADD COLUMN deadline_at BIGINT;
CREATE INDEX idx_analyses_status ON analyses (status);
