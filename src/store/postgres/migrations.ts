/** Versioned PostgreSQL schema migrations (same model as the SQLite ones). Never edit a released one. */
export const POSTGRES_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE alerts (
        alert_id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        level TEXT NOT NULL,
        level_rank SMALLINT NOT NULL,
        confidence DOUBLE PRECISION NOT NULL,
        risk_score DOUBLE PRECISION NOT NULL,
        ts_ms BIGINT NOT NULL,
        window_start_ms BIGINT NOT NULL,
        window_end_ms BIGINT NOT NULL,
        symbols TEXT[] NOT NULL,
        users TEXT[] NOT NULL,
        data JSONB NOT NULL,
        status TEXT NOT NULL DEFAULT 'active',
        resolution TEXT,
        resolution_note TEXT,
        resolved_by TEXT,
        resolved_at TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX alerts_ts ON alerts (ts_ms);
      CREATE INDEX alerts_level_ts ON alerts (level_rank, ts_ms);
      CREATE INDEX alerts_status_ts ON alerts (status, ts_ms);
      CREATE INDEX alerts_type_ts ON alerts (type, ts_ms);
      CREATE INDEX alerts_symbols ON alerts USING GIN (symbols);
      CREATE INDEX alerts_users ON alerts USING GIN (users);
      CREATE TABLE monitor (
        slot TEXT PRIMARY KEY CHECK (slot IN ('current', 'last')),
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        started_at TIMESTAMPTZ NOT NULL,
        heartbeat_at TIMESTAMPTZ NOT NULL,
        symbols TEXT NOT NULL,
        source TEXT NOT NULL,
        events BIGINT NOT NULL,
        alerts BIGINT NOT NULL,
        config JSONB NOT NULL
      );
    `,
  },
  {
    // Analyst workflow: case fields, a change feed, the append-only audit trail, API tokens and
    // the webhook outbox (same model as SQLite migration 2).
    version: 2,
    sql: `
      ALTER TABLE alerts ADD COLUMN assignee TEXT;
      ALTER TABLE alerts ADD COLUMN escalated BOOLEAN NOT NULL DEFAULT false;
      ALTER TABLE alerts ADD COLUMN escalated_at TEXT;
      ALTER TABLE alerts ADD COLUMN escalated_by TEXT;
      CREATE SEQUENCE alert_changes;
      ALTER TABLE alerts ADD COLUMN change_seq BIGINT NOT NULL DEFAULT nextval('alert_changes');
      ALTER TABLE alerts ADD COLUMN created_seq BIGINT NOT NULL DEFAULT 0;
      UPDATE alerts SET created_seq = change_seq;
      CREATE INDEX alerts_change ON alerts (change_seq);
      CREATE INDEX alerts_levelname_ts ON alerts (level, ts_ms);
      CREATE INDEX alerts_status_type_ts ON alerts (status, type, ts_ms);
      CREATE FUNCTION alerts_next_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.change_seq := nextval('alert_changes');
        IF TG_OP = 'INSERT' THEN NEW.created_seq := NEW.change_seq; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER alerts_change BEFORE INSERT OR UPDATE ON alerts FOR EACH ROW EXECUTE FUNCTION alerts_next_change();

      CREATE TABLE case_audit (
        seq BIGSERIAL PRIMARY KEY,
        alert_id TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        note TEXT,
        before JSONB NOT NULL,
        after JSONB NOT NULL
      );
      CREATE INDEX case_audit_alert ON case_audit (alert_id, seq);
      -- The audit trail is evidence: the database itself refuses to change or remove a row.
      CREATE FUNCTION case_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'case_audit is append-only';
      END $$;
      CREATE TRIGGER case_audit_no_change BEFORE UPDATE OR DELETE ON case_audit
        FOR EACH ROW EXECUTE FUNCTION case_audit_append_only();
      CREATE TRIGGER case_audit_no_truncate BEFORE TRUNCATE ON case_audit
        FOR EACH STATEMENT EXECUTE FUNCTION case_audit_append_only();

      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
        hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );

      CREATE TABLE webhook_outbox (
        id BIGSERIAL PRIMARY KEY,
        alert_id TEXT NOT NULL,
        url TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms BIGINT NOT NULL,
        delivered_at TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (alert_id, url)
      );
      CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_ms) WHERE delivered_at IS NULL;

      CREATE TABLE cursors (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
    `,
  },
];
