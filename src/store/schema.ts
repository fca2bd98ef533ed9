/**
 * The database's tables as Kysely sees them. Timestamps are epoch milliseconds (bigint in
 * PostgreSQL, read back as numbers), booleans are 0/1 integers on both dialects.
 */
export interface KvTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface Database {
  kv: KvTable;
}
