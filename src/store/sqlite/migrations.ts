/**
 * Versioned schema migrations, applied in order once each (table schema_migrations).
 * Never edit a released migration: add the next version.
 */
export const SQLITE_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE alerts (
        alert_id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        level TEXT NOT NULL,
        level_rank INTEGER NOT NULL,
        confidence REAL NOT NULL,
        risk_score REAL NOT NULL,
        ts_ms INTEGER NOT NULL,
        window_start_ms INTEGER NOT NULL,
        window_end_ms INTEGER NOT NULL,
        symbols TEXT NOT NULL,
        users TEXT NOT NULL,
        data TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active',
        resolution TEXT,
        resolution_note TEXT,
        resolved_by TEXT,
        resolved_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX alerts_ts ON alerts (ts_ms);
      CREATE INDEX alerts_level_ts ON alerts (level_rank, ts_ms);
      CREATE INDEX alerts_status_ts ON alerts (status, ts_ms);
      CREATE INDEX alerts_type_ts ON alerts (type, ts_ms);
      CREATE TABLE monitor (
        slot TEXT PRIMARY KEY CHECK (slot IN ('current', 'last')),
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        started_at TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL,
        symbols TEXT NOT NULL,
        source TEXT NOT NULL,
        events INTEGER NOT NULL,
        alerts INTEGER NOT NULL,
        config TEXT NOT NULL
      );
    `,
  },
  {
    // Analyst workflow: case fields, a change feed, the append-only audit trail, API tokens and
    // the webhook outbox.
    version: 2,
    sql: `
      ALTER TABLE alerts ADD COLUMN assignee TEXT;
      ALTER TABLE alerts ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE alerts ADD COLUMN escalated_at TEXT;
      ALTER TABLE alerts ADD COLUMN escalated_by TEXT;
      ALTER TABLE alerts ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE alerts ADD COLUMN created_seq INTEGER NOT NULL DEFAULT 0;
      UPDATE alerts SET change_seq = rowid, created_seq = rowid;
      CREATE INDEX alerts_change ON alerts (change_seq);
      -- The dashboard filters by level name; without this a level filter scans the table.
      CREATE INDEX alerts_levelname_ts ON alerts (level, ts_ms);
      CREATE INDEX alerts_status_type_ts ON alerts (status, type, ts_ms);
      -- Every insert and update takes the next change number, so readers of the feed never miss a
      -- change made within the same millisecond (an updated_at cursor could).
      CREATE TRIGGER alerts_change_insert AFTER INSERT ON alerts BEGIN
        UPDATE alerts SET change_seq = (SELECT COALESCE(MAX(change_seq), 0) + 1 FROM alerts),
                          created_seq = (SELECT COALESCE(MAX(change_seq), 0) + 1 FROM alerts)
        WHERE rowid = NEW.rowid;
      END;
      CREATE TRIGGER alerts_change_update AFTER UPDATE ON alerts WHEN NEW.change_seq = OLD.change_seq BEGIN
        UPDATE alerts SET change_seq = (SELECT MAX(change_seq) + 1 FROM alerts) WHERE rowid = NEW.rowid;
      END;

      CREATE TABLE case_audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        note TEXT,
        before TEXT NOT NULL,
        after TEXT NOT NULL
      );
      CREATE INDEX case_audit_alert ON case_audit (alert_id, seq);
      -- The audit trail is evidence: the database itself refuses to change or remove a row.
      CREATE TRIGGER case_audit_no_update BEFORE UPDATE ON case_audit BEGIN
        SELECT RAISE(ABORT, 'case_audit is append-only');
      END;
      CREATE TRIGGER case_audit_no_delete BEFORE DELETE ON case_audit BEGIN
        SELECT RAISE(ABORT, 'case_audit is append-only');
      END;

      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
        hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );

      CREATE TABLE webhook_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT NOT NULL,
        url TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms INTEGER NOT NULL,
        delivered_at TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (alert_id, url)
      );
      CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_ms) WHERE delivered_at IS NULL;

      CREATE TABLE cursors (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `,
  },
];
