import type { SqlClient } from '../../services/db/sql-client.js';

/** What a reader (the API, Grafana) sees of one column: its relation, name, position, type and comment. */
export interface ReaderColumn {
  readonly relation: string;
  readonly column: string;
  readonly position: number;
  readonly dataType: string;
  readonly udtName: string;
  readonly comment: string | null;
}

/** The relations and columns of the current schema as information_schema shows them, with their comments. */
export async function readerSchema(client: SqlClient): Promise<{ columns: ReaderColumn[]; relationComments: Map<string, string | null> }> {
  const { rows } = await client.query<{ relation: string; column: string; position: number; data_type: string; udt_name: string; comment: string | null }>(`
    SELECT c.table_name AS relation, c.column_name AS column, c.ordinal_position::int AS position,
           c.data_type, c.udt_name,
           col_description(format('%I.%I', c.table_schema, c.table_name)::regclass, c.ordinal_position::int) AS comment
    FROM information_schema.columns c
    WHERE c.table_schema = current_schema()
    ORDER BY c.table_name, c.ordinal_position`);
  const relations = await client.query<{ relation: string; comment: string | null }>(`
    SELECT t.table_name AS relation, obj_description(format('%I.%I', t.table_schema, t.table_name)::regclass, 'pg_class') AS comment
    FROM information_schema.tables t
    WHERE t.table_schema = current_schema()
    ORDER BY 1`);
  return {
    columns: rows.map((r) => ({
      relation: r.relation,
      column: r.column,
      position: Number(r.position),
      dataType: r.data_type,
      udtName: r.udt_name,
      comment: r.comment,
    })),
    relationComments: new Map(relations.rows.map((r) => [r.relation, r.comment])),
  };
}
