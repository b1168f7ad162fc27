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
];
