/**
 * What Grafana does to a panel's SQL before its PostgreSQL datasource sends
 * it: template variables are interpolated in the frontend (multi-value and
 * "All" become a list of quoted literals; a single-value variable is inserted
 * raw, its quotes doubled), then the backend expands the time macros of
 * pkg/tsdb/grafana-postgresql-datasource/macros.go. Tests run the result on a
 * real server, so a dashboard whose SQL does not parse or names a column that
 * does not exist fails here rather than in front of a user.
 */

/** A template variable's state as the dashboard would hold it. */
export interface VariableValue {
  readonly values: readonly string[];
  /** Multi-value or include-All variables quote their values as SQL literals. */
  readonly quoted: boolean;
}

export interface TimeRange {
  readonly from: Date;
  readonly to: Date;
}

// Grafana's variable syntax: $name, [[name]] and ${name} / ${name:format}.
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?::([^}]+))?\}/g;

const quoteLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** Interpolates the dashboard's variables; a variable it does not know is an error (Grafana would send it through and PostgreSQL would fail). */
export function interpolateVariables(sql: string, variables: Readonly<Record<string, VariableValue>>): string {
  return sql.replace(VARIABLE, (match, plain?: string, bracket?: string, _bracketFormat?: string, braced?: string) => {
    const name = plain ?? bracket ?? braced ?? '';
    // $__timeFilter and friends are macros for the backend, not variables.
    if (name.startsWith('__')) return match;
    const variable = variables[name];
    if (!variable) throw new Error(`unknown dashboard variable ${match}`);
    if (variable.values.length === 0) throw new Error(`variable ${match} has no value`);
    if (!variable.quoted) return (variable.values[0] ?? '').replace(/'/g, "''");
    return variable.values.map(quoteLiteral).join(',');
  });
}

const MACRO = /\$__(\w+)\(([^)]*)\)/g;

/** Grafana's interval strings ('5m', '1h', '1d') in seconds. */
export function intervalSeconds(raw: string): number {
  const match = /^'?\s*(\d+)(ms|s|m|h|d|w)\s*'?$/.exec(raw.trim());
  if (!match) throw new Error(`not a Grafana interval: ${raw}`);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}

const rfc3339 = (date: Date) => `'${date.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;
const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** Expands the time macros of Grafana's PostgreSQL datasource for one time range. An unknown macro is an error. */
export function expandMacros(sql: string, range: TimeRange): string {
  return sql.replace(MACRO, (match, name: string, rawArgs: string) => {
    const args = rawArgs.split(',').map((a) => a.trim()).filter((a) => a !== '');
    const column = args[0] ?? '';
    const need = (count: number) => {
      if (args.length < count) throw new Error(`${match} needs ${count} argument(s)`);
    };
    switch (name) {
      case 'time':
        need(1);
        return `${column} AS "time"`;
      case 'timeEpoch':
        need(1);
        return `extract(epoch from ${column}) as "time"`;
      case 'timeFilter':
        need(1);
        return `${column} BETWEEN ${rfc3339(range.from)} AND ${rfc3339(range.to)}`;
      case 'timeFrom':
        return rfc3339(range.from);
      case 'timeTo':
        return rfc3339(range.to);
      case 'timeGroup':
      case 'timeGroupAlias': {
        need(2);
        const seconds = intervalSeconds(args[1] ?? '');
        const group = `floor(extract(epoch from ${column})/${seconds})*${seconds}`;
        return name === 'timeGroupAlias' ? `${group} AS "time"` : group;
      }
      case 'unixEpochFilter':
        need(1);
        return `${column} >= ${epochSeconds(range.from)} AND ${column} <= ${epochSeconds(range.to)}`;
      case 'unixEpochFrom':
        return String(epochSeconds(range.from));
      case 'unixEpochTo':
        return String(epochSeconds(range.to));
      default:
        throw new Error(`macro ${match} is not one Grafana's PostgreSQL datasource expands`);
    }
  });
}
