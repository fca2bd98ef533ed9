/**
 * The database's tables as Kysely sees them. Timestamps are epoch milliseconds (bigint in
 * PostgreSQL, read back as numbers), booleans are 0/1 integers on both dialects.
 */
import type { Generated } from 'kysely';

export interface KvTable {
  key: string;
  value: string;
  updated_at: number;
}

/** A job of the embedded runtime (the pg-boss adapter keeps its jobs in pg-boss's own schema). */
export interface JobTable {
  seq: Generated<number>;
  id: string;
  name: string;
  key: string | null;
  /** 'serial' | 'coalesce' */
  per_key: string;
  /** JSON array of lane names, sorted. */
  lanes: string;
  /** JSON. */
  data: string;
  /** 'queued' | 'retry' | 'running' | 'completed' | 'parked' | 'cancelled' */
  state: string;
  priority: number;
  attempt: number;
  max_attempts: number;
  run_at: number;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  error_code: string | null;
  error_class: string | null;
  error_message: string | null;
  error_hint: string | null;
}

export interface JobScheduleTable {
  name: string;
  job_name: string;
  every_ms: number | null;
  cron: string | null;
  tz: string | null;
  data: string;
  key: string | null;
  lanes: string | null;
  next_run_at: number;
  last_run_at: number | null;
  last_job_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface LaneLeaseTable {
  lane: string;
  owner: string;
  expires_at: number;
  acquired_at: number;
  renewed_at: number;
}

export interface LedgerLinkTable {
  id: Generated<number>;
  pair: string;
  entity: string;
  source_key: string;
  target_id: string;
  /** JSON object role -> id (e.g. {"product": "gid://shopify/Product/1", "inventoryItem": "..."}). */
  target_refs: string;
  sku: string | null;
  /** 'source_to_target' | 'target_to_source' | 'two_way' */
  direction: string;
  /** JSON object field group -> content hash last pushed. */
  hashes: string;
  created_at: number;
  updated_at: number;
  pushed_at: number | null;
}

export interface LedgerRefTable {
  pair: string;
  entity: string;
  ref_id: string;
  role: string;
  link_id: number;
}

export interface CheckpointTable {
  flow: string;
  stream: string;
  cursor: string;
  run_id: string | null;
  updated_at: number;
}

export interface WebhookDeliveryTable {
  id: Generated<number>;
  source: string;
  delivery_id: string;
  topic: string;
  resource_id: string | null;
  payload_hash: string | null;
  /** 'enqueued' | 'ignored' */
  status: string;
  job_id: string | null;
  received_at: number;
}

export interface ActivityTable {
  id: Generated<number>;
  run_id: string;
  flow: string;
  direction: string;
  entity: string | null;
  source_key: string | null;
  target_id: string | null;
  /** 'created' | 'updated' | 'skipped' | 'quarantined' | 'failed' */
  action: string;
  /** JSON array of masked field changes. */
  diff: string | null;
  error_code: string | null;
  message: string | null;
  hint: string | null;
  at: number;
}

export interface RunTable {
  id: string;
  flow: string;
  trigger: string;
  job_id: string | null;
  dry_run: Generated<number>;
  /** 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled' | 'abandoned' */
  status: string;
  started_at: number;
  finished_at: number | null;
  heartbeat_at: number;
  created: Generated<number>;
  updated: Generated<number>;
  skipped: Generated<number>;
  quarantined: Generated<number>;
  failed: Generated<number>;
  api_calls: Generated<number>;
  api_cost: Generated<number>;
  throttle_waits: Generated<number>;
  throttle_wait_ms: Generated<number>;
  errors: Generated<number>;
  error_code: string | null;
  error_message: string | null;
}

export interface Database {
  kv: KvTable;
  job: JobTable;
  job_schedule: JobScheduleTable;
  lane_lease: LaneLeaseTable;
  ledger_link: LedgerLinkTable;
  ledger_ref: LedgerRefTable;
  checkpoint: CheckpointTable;
  webhook_delivery: WebhookDeliveryTable;
  activity: ActivityTable;
  run: RunTable;
}
