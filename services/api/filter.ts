import { ParameterError } from './parameter-error.js';

/** Fields a filter clause can test; label clauses carry their label key. */
export const FILTER_FIELDS = ['cluster', 'node', 'namespace', 'workload', 'controllerKind', 'pod', 'container'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number] | 'label';

/** One clause: the field's value is (or, negated, is not) one of `values`. */
export interface FilterClause {
  readonly field: FilterField;
  /** The label key, for field "label". */
  readonly labelKey?: string;
  readonly negated: boolean;
  readonly values: readonly string[];
}

/** The grammar, as the OpenAPI document and the error messages state it. */
export const FILTER_GRAMMAR = [
  'clause ("+" clause)*, all clauses must hold (AND);',
  'clause = field ":" values (value is one of) or field "!:" values (value is none of);',
  'values = "v1","v2",... (double-quoted, \\" and \\\\ escape a quote and a backslash; several values are OR);',
  `field = ${FILTER_FIELDS.join(' | ')} | label[<key>] (workload tests the controller name, controllerKind its kind).`,
  'Example: namespace:"web","api"+cluster!:"dev"+label[app]:"frontend".',
].join(' ');

const MAX_CLAUSES = 20;
const MAX_VALUES = 100;
// Kubernetes label keys: an optional DNS-subdomain prefix and a name of alphanumerics, '-', '_' and '.'.
const LABEL_KEY = /^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Whether `key` is a valid Kubernetes label key (also used by the label:<key> aggregate). */
export function isLabelKey(key: string): boolean {
  return LABEL_KEY.test(key);
}

/**
 * Parses a `filter` parameter. A hand-written scanner rather than a regular
 * expression, so that quoted values may hold any character (including "+",
 * "," and ":") and an error can say at which character the input went wrong.
 */
export function parseFilter(raw: string, parameter = 'filter'): FilterClause[] {
  const scanner = new Scanner(raw, parameter);
  const clauses: FilterClause[] = [];
  scanner.skipSpace();
  if (scanner.done()) return clauses;
  for (;;) {
    clauses.push(parseClause(scanner));
    if (clauses.length > MAX_CLAUSES) scanner.fail(`more than ${MAX_CLAUSES} clauses`);
    scanner.skipSpace();
    if (scanner.done()) return clauses;
    scanner.expect('+');
  }
}

function parseClause(scanner: Scanner): FilterClause {
  scanner.skipSpace();
  const name = scanner.take(/[A-Za-z]+/y, 'a field name');
  let labelKey: string | undefined;
  let field: FilterField;
  if (name === 'label') {
    scanner.expect('[');
    labelKey = scanner.take(/[^\]]+/y, 'a label key');
    if (!isLabelKey(labelKey)) scanner.fail(`${JSON.stringify(labelKey)} is not a Kubernetes label key`);
    scanner.expect(']');
    field = 'label';
  } else if ((FILTER_FIELDS as readonly string[]).includes(name)) {
    field = name as FilterField;
  } else {
    return scanner.fail(`unknown field ${JSON.stringify(name)}; fields are ${FILTER_FIELDS.join(', ')} and label[<key>]`);
  }
  scanner.skipSpace();
  const negated = scanner.peek() === '!';
  if (negated) scanner.expect('!');
  scanner.expect(':');
  const values: string[] = [];
  for (;;) {
    scanner.skipSpace();
    values.push(scanner.quoted());
    if (values.length > MAX_VALUES) scanner.fail(`more than ${MAX_VALUES} values in one clause`);
    scanner.skipSpace();
    if (scanner.peek() !== ',') break;
    scanner.expect(',');
  }
  return labelKey === undefined ? { field, negated, values } : { field, labelKey, negated, values };
}

class Scanner {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly parameter: string,
  ) {}

  done(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.position];
  }

  skipSpace(): void {
    while (this.peek() === ' ') this.position++;
  }

  expect(char: string): void {
    if (this.peek() !== char) this.fail(`expected ${JSON.stringify(char)}`);
    this.position++;
  }

  take(pattern: RegExp, what: string): string {
    pattern.lastIndex = this.position;
    const match = pattern.exec(this.text);
    if (!match) return this.fail(`expected ${what}`);
    this.position += match[0].length;
    return match[0];
  }

  quoted(): string {
    this.expect('"');
    let value = '';
    for (;;) {
      const char = this.peek();
      if (char === undefined) return this.fail('unterminated quoted value');
      this.position++;
      if (char === '"') return value;
      if (char === '\\') {
        const escaped = this.peek();
        if (escaped !== '"' && escaped !== '\\') this.fail('a backslash escapes only " or \\');
        value += escaped;
        this.position++;
      } else {
        value += char;
      }
    }
  }

  fail(message: string): never {
    const at = this.done() ? 'at the end' : `at character ${this.position + 1}`;
    throw new ParameterError(this.parameter, `${message} ${at} of ${JSON.stringify(this.text)}. Grammar: ${FILTER_GRAMMAR}`);
  }
}
