import type pg from 'pg';

/**
 * Locks the stored offset of one partition for the rest of the transaction
 * and returns it (0 when the partition was never loaded). Two sinks that both
 * hold the same batch (a rebalance, a redelivery) serialise here, and the
 * second sees the offset the first committed.
 */
export async function lockNextOffset(client: pg.ClientBase, group: string, topic: string, partition: number): Promise<bigint> {
  await client.query(
    `INSERT INTO sink_offset (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, 0)
     ON CONFLICT (consumer_group, topic, partition) DO NOTHING`,
    [group, topic, partition],
  );
  const { rows } = await client.query<{ next_offset: string }>(
    'SELECT next_offset FROM sink_offset WHERE consumer_group = $1 AND topic = $2 AND partition = $3 FOR UPDATE',
    [group, topic, partition],
  );
  return BigInt(rows[0]?.next_offset ?? '0');
}

/** Moves the partition's stored offset forward (never back) inside the batch's transaction. */
export async function storeNextOffset(client: pg.ClientBase, group: string, topic: string, partition: number, nextOffset: string): Promise<void> {
  await client.query(
    `UPDATE sink_offset SET next_offset = GREATEST(next_offset, $4::bigint), updated_at = now()
     WHERE consumer_group = $1 AND topic = $2 AND partition = $3`,
    [group, topic, partition, nextOffset],
  );
}

/** The stored offsets of a group for the given topics, to seek to when partitions are assigned. */
export async function readOffsets(
  client: pg.ClientBase | pg.Pool,
  group: string,
  topics: readonly string[],
): Promise<Array<{ topic: string; partition: number; nextOffset: string }>> {
  const { rows } = await client.query<{ topic: string; partition: number; next_offset: string }>(
    'SELECT topic, partition, next_offset FROM sink_offset WHERE consumer_group = $1 AND topic = ANY($2::text[])',
    [group, topics],
  );
  return rows.map((r) => ({ topic: r.topic, partition: Number(r.partition), nextOffset: String(r.next_offset) }));
}
