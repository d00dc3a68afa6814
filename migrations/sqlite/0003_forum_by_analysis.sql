-- `GET /api/analysis/{id}` reads one analysis's forum messages; without this it scans them all.
CREATE INDEX idx_forum_messages_analysis ON forum_messages (analysis_id);
