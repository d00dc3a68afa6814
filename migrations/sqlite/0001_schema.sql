-- BettaFish-rs schema, SQLite. Kept equivalent to migrations/postgres/0001_schema.sql by the
-- test `storage::schema_equivalence`: same tables, same columns, same kinds. Times are
-- epoch milliseconds (BIGINT); calendar dates are ISO text (YYYY-MM-DD), which sorts as dates.
-- Full-text search lives in FTS5 tables (posts_fts, news_fts) keyed by rowid; PostgreSQL keeps
-- a tsvector column instead. Both index the terms made by storage::terms.

-- MindSpider's tables, with the original's uniqueness rules.
CREATE TABLE daily_news (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    news_id         TEXT    NOT NULL,
    source_platform TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    url             TEXT,
    description     TEXT,
    extra_info      TEXT,
    crawl_date      TEXT    NOT NULL,
    rank_position   INTEGER,
    add_ts          BIGINT  NOT NULL,
    last_modify_ts  BIGINT  NOT NULL,
    CONSTRAINT uq_daily_news_id_unique UNIQUE (news_id),
    CONSTRAINT uq_daily_news_unique UNIQUE (news_id, source_platform, crawl_date)
);
CREATE INDEX idx_daily_news_date ON daily_news (crawl_date);
CREATE INDEX idx_daily_news_platform ON daily_news (source_platform);
CREATE INDEX idx_daily_news_rank ON daily_news (rank_position);

CREATE TABLE daily_topics (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id          TEXT    NOT NULL,
    topic_name        TEXT    NOT NULL,
    topic_description TEXT,
    keywords          TEXT,
    extract_date      TEXT    NOT NULL,
    relevance_score   REAL,
    news_count        INTEGER NOT NULL DEFAULT 0,
    processing_status TEXT    NOT NULL DEFAULT 'pending',
    add_ts            BIGINT  NOT NULL,
    last_modify_ts    BIGINT  NOT NULL,
    CONSTRAINT uq_daily_topics_id_unique UNIQUE (topic_id),
    CONSTRAINT uq_daily_topics_unique UNIQUE (topic_id, extract_date)
);
CREATE INDEX idx_daily_topics_date ON daily_topics (extract_date);
CREATE INDEX idx_daily_topics_status ON daily_topics (processing_status);

CREATE TABLE topic_news_relation (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id       TEXT   NOT NULL REFERENCES daily_topics (topic_id) ON DELETE CASCADE,
    news_id        TEXT   NOT NULL REFERENCES daily_news (news_id) ON DELETE CASCADE,
    relation_score REAL,
    extract_date   TEXT   NOT NULL,
    add_ts         BIGINT NOT NULL,
    CONSTRAINT uq_topic_news_unique UNIQUE (topic_id, news_id, extract_date)
);
CREATE INDEX idx_relation_topic ON topic_news_relation (topic_id);
CREATE INDEX idx_relation_news ON topic_news_relation (news_id);

CREATE TABLE crawling_tasks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id         TEXT    NOT NULL,
    topic_id        TEXT    NOT NULL REFERENCES daily_topics (topic_id) ON DELETE CASCADE,
    platform        TEXT    NOT NULL,
    search_keywords TEXT    NOT NULL,
    task_status     TEXT    NOT NULL DEFAULT 'pending',
    start_time      BIGINT,
    end_time        BIGINT,
    total_crawled   INTEGER NOT NULL DEFAULT 0,
    success_count   INTEGER NOT NULL DEFAULT 0,
    error_count     INTEGER NOT NULL DEFAULT 0,
    error_message   TEXT,
    config_params   TEXT,
    scheduled_date  TEXT    NOT NULL,
    add_ts          BIGINT  NOT NULL,
    last_modify_ts  BIGINT  NOT NULL,
    CONSTRAINT uq_crawling_tasks_unique UNIQUE (task_id)
);
CREATE INDEX idx_crawling_tasks_topic ON crawling_tasks (topic_id);
CREATE INDEX idx_crawling_tasks_status ON crawling_tasks (task_status);
CREATE INDEX idx_crawling_tasks_date ON crawling_tasks (scheduled_date);

-- Platform content: notes, videos, answers (kind 'content') and their comments (kind
-- 'comment'), from every platform, in one model. Upserted on (platform, kind, platform_id).
CREATE TABLE posts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    platform        TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('content', 'comment')),
    platform_id     TEXT    NOT NULL,
    content_id      TEXT,
    parent_id       TEXT,
    author_id       TEXT,
    author_name     TEXT,
    title           TEXT,
    body            TEXT    NOT NULL,
    url             TEXT,
    liked_count     BIGINT  NOT NULL DEFAULT 0,
    comment_count   BIGINT  NOT NULL DEFAULT 0,
    share_count     BIGINT  NOT NULL DEFAULT 0,
    collected_count BIGINT  NOT NULL DEFAULT 0,
    published_at    BIGINT,
    crawled_at      BIGINT  NOT NULL,
    source_keyword  TEXT,
    topic_id        TEXT,
    raw             TEXT,
    CONSTRAINT uq_posts_platform_id UNIQUE (platform, kind, platform_id)
);
CREATE INDEX idx_posts_published ON posts (published_at);
CREATE INDEX idx_posts_content ON posts (platform, content_id);

-- The terms arrive made and space-separated (storage::terms); the ascii tokenizer only splits
-- them at the spaces (it keeps every non-ASCII character in its term).
CREATE VIRTUAL TABLE posts_fts USING fts5 (terms, tokenize = 'ascii');
CREATE VIRTUAL TABLE news_fts USING fts5 (terms, tokenize = 'ascii');

-- The service's own records.
CREATE TABLE analyses (
    id          TEXT   PRIMARY KEY,
    query       TEXT   NOT NULL,
    status      TEXT   NOT NULL,
    error       TEXT,
    result      TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX idx_analyses_created ON analyses (created_at);

CREATE TABLE engine_outputs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    analysis_id TEXT REFERENCES analyses (id) ON DELETE CASCADE,
    engine      TEXT   NOT NULL,
    query       TEXT   NOT NULL,
    status      TEXT   NOT NULL,
    markdown    TEXT,
    document    TEXT,
    error       TEXT,
    created_at  BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX idx_engine_outputs_analysis ON engine_outputs (analysis_id);
CREATE INDEX idx_engine_outputs_created ON engine_outputs (created_at);

CREATE TABLE report_tasks (
    id          TEXT   PRIMARY KEY,
    analysis_id TEXT REFERENCES analyses (id) ON DELETE SET NULL,
    query       TEXT   NOT NULL,
    template    TEXT,
    status      TEXT   NOT NULL,
    progress    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    markdown    TEXT,
    html        TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX idx_report_tasks_created ON report_tasks (created_at);

CREATE TABLE report_events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id TEXT   NOT NULL REFERENCES report_tasks (id) ON DELETE CASCADE,
    seq     BIGINT NOT NULL,
    kind    TEXT   NOT NULL,
    payload TEXT   NOT NULL,
    at      BIGINT NOT NULL,
    CONSTRAINT uq_report_events_seq UNIQUE (task_id, seq)
);

CREATE TABLE forum_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    analysis_id TEXT REFERENCES analyses (id) ON DELETE CASCADE,
    source      TEXT   NOT NULL,
    content     TEXT   NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX idx_forum_messages_at ON forum_messages (at);
