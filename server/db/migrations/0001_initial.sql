-- Tokens: only the SHA-256 of each token is stored; the token itself is printed once.
CREATE TABLE tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL UNIQUE,
    hash text NOT NULL UNIQUE,
    admin boolean NOT NULL DEFAULT false,
    max_stores integer CHECK (max_stores IS NULL OR max_stores >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- Stores created through the API. A row exists from the POST until the store is gone.
CREATE TABLE stores (
    name text PRIMARY KEY,
    owner_id uuid NOT NULL REFERENCES tokens (id),
    entry jsonb NOT NULL,
    status text NOT NULL CHECK (status IN ('Queued', 'Provisioning', 'Ready', 'Failed', 'Deleting')),
    reason text,
    url text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stores_owner ON stores (owner_id, name);

-- One row per requested operation (create, delete, retry); the latest one is shown with the store.
CREATE TABLE operations (
    id bigserial PRIMARY KEY,
    store text NOT NULL REFERENCES stores (name) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('create', 'delete')),
    state text NOT NULL CHECK (state IN ('queued', 'running', 'retrying', 'succeeded', 'failed')),
    job_id text,
    attempts integer NOT NULL DEFAULT 0,
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz
);
CREATE INDEX operations_store ON operations (store, id DESC);

-- Progress of operations for the events stream (engine steps, status changes).
CREATE TABLE store_events (
    id bigserial PRIMARY KEY,
    store text NOT NULL,
    operation_id bigint,
    kind text NOT NULL CHECK (kind IN ('status', 'step')),
    text text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX store_events_store ON store_events (store, id);

-- Audit log: every read of a store's credentials (kept after the store is gone).
CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    action text NOT NULL,
    store text NOT NULL,
    token_id uuid,
    token_name text NOT NULL,
    client_ip text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);

-- Rate-limit counters shared by every API instance: one row per key and fixed window.
CREATE TABLE rate_limit_counters (
    key text NOT NULL,
    window_start timestamptz NOT NULL,
    count integer NOT NULL,
    PRIMARY KEY (key, window_start)
);
