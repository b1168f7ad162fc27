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
];
