-- Facts the service keeps about its own database, e.g. that the sample corpus was offered
-- once (so emptying the tables later does not bring it back).
CREATE TABLE service_meta (
    key        TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
