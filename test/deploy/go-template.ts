/**
 * The subset of Go's text/template that the kcost Helm chart uses, for tests
 * on machines without helm: text and actions with trim markers ({{- -}}),
 * comments, pipelines (a | f b), fields (.Values.a.b, $.x, $v.y), variables
 * ($x := ..., $x = ...), string/number/bool/nil literals, parentheses,
 * if / else if / else, range (lists and maps, with one or two variables),
 * with, define and include. Functions come from the caller (see helm-chart.ts).
 * Anything outside the subset is an error, so the chart cannot drift into
 * syntax this renderer would silently get wrong.
 */

export type TemplateFunction = (...args: unknown[]) => unknown;

type Token =
  | { kind: 'string' | 'number' | 'ident' | 'field' | 'variable'; text: string }
  | { kind: 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma'; text: string };

type Operand =
  | { kind: 'literal'; value: unknown }
  | { kind: 'field'; /** 'dot' for a field of dot, else a variable name such as $ or $ctx. */ base: string; path: string[] }
  | { kind: 'function'; name: string }
  | { kind: 'pipeline'; pipeline: Pipeline };

interface Command {
  readonly operands: Operand[];
}
interface Pipeline {
  readonly declare?: { names: string[]; mode: 'declare' | 'assign' };
  readonly commands: Command[];
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline }
  | { kind: 'if' | 'with'; branches: Array<{ pipeline: Pipeline | null; body: Node[] }> }
  | { kind: 'range'; pipeline: Pipeline; body: Node[]; elseBody: Node[] };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      let text = '';
      while (j < source.length && source[j] !== c) {
        if (c === '"' && source[j] === '\\') {
          const next = source[j + 1];
          text += next === 'n' ? '\n' : next === 't' ? '\t' : (next ?? '');
          j += 2;
        } else {
          text += source[j];
          j++;
        }
      }
      if (j >= source.length) throw new Error(`unterminated string in {{${source}}}`);
      tokens.push({ kind: 'string', text });
      i = j + 1;
    } else if (c === '|') {
      tokens.push({ kind: 'pipe', text: c });
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c });
      i++;
    } else if (c === ',') {
      tokens.push({ kind: 'comma', text: c });
      i++;
    } else if (source.startsWith(':=', i)) {
      tokens.push({ kind: 'declare', text: ':=' });
      i += 2;
    } else if (c === '=') {
      tokens.push({ kind: 'assign', text: '=' });
      i++;
    } else {
      const match = /^(\$[\w]*(?:\.[\w]+)*|\.(?:[\w]+(?:\.[\w]+)*)?|-?\d+(?:\.\d+)?|[A-Za-z_]\w*)/.exec(source.slice(i));
      if (!match) throw new Error(`cannot read {{${source}}} at ${JSON.stringify(source.slice(i))}`);
      const text = match[0];
      const kind = text.startsWith('$') ? 'variable' : text.startsWith('.') ? 'field' : /^-?\d/.test(text) ? 'number' : 'ident';
      tokens.push({ kind, text });
      i += text.length;
    }
  }
  return tokens;
}

function parsePipeline(tokens: Token[], start = 0, stopAtParen = false): { pipeline: Pipeline; next: number } {
  let i = start;
  let declare: Pipeline['declare'];
  // "$a, $b :=" or "$a :=" / "$a =" at the start.
  const names: string[] = [];
  let j = i;
  while (tokens[j]?.kind === 'variable') {
    names.push((tokens[j] as Token).text);
    if (tokens[j + 1]?.kind === 'comma') j += 2;
    else {
      j++;
      break;
    }
  }
  if (names.length > 0 && (tokens[j]?.kind === 'declare' || tokens[j]?.kind === 'assign')) {
    declare = { names, mode: tokens[j]?.kind === 'declare' ? 'declare' : 'assign' };
    i = j + 1;
  }
  const commands: Command[] = [];
  let operands: Operand[] = [];
  while (i < tokens.length) {
    const token = tokens[i] as Token;
    if (token.kind === 'rparen') {
      if (!stopAtParen) throw new Error('unexpected )');
      break;
    }
    if (token.kind === 'pipe') {
      commands.push({ operands });
      operands = [];
      i++;
      continue;
    }
    if (token.kind === 'lparen') {
      const inner = parsePipeline(tokens, i + 1, true);
      operands.push({ kind: 'pipeline', pipeline: inner.pipeline });
      i = inner.next + 1;
      continue;
    }
    operands.push(operandOf(token));
    i++;
  }
  commands.push({ operands });
  if (commands.some((c) => c.operands.length === 0)) throw new Error('empty command in pipeline');
  return { pipeline: { ...(declare ? { declare } : {}), commands }, next: i };
}

function operandOf(token: Token): Operand {
  switch (token.kind) {
    case 'string':
      return { kind: 'literal', value: token.text };
    case 'number':
      return { kind: 'literal', value: Number(token.text) };
    case 'field':
      return { kind: 'field', base: 'dot', path: token.text === '.' ? [] : token.text.slice(1).split('.') };
    case 'variable': {
      const [name, ...path] = token.text.split('.');
      return { kind: 'field', base: name as string, path };
    }
    case 'ident':
      if (token.text === 'true' || token.text === 'false') return { kind: 'literal', value: token.text === 'true' };
      if (token.text === 'nil') return { kind: 'literal', value: null };
      return { kind: 'function', name: token.text };
    default:
      throw new Error(`unexpected ${token.text}`);
  }
}

interface Parsed {
  nodes: Node[];
  defines: Map<string, Node[]>;
}

/** Parses a template; `define` blocks are returned apart, by name. */
export function parseTemplate(source: string, name: string): Parsed {
  const pieces: Array<{ kind: 'text'; text: string } | { kind: 'action'; text: string }> = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      pieces.push({ kind: 'text', text: source.slice(i) });
      break;
    }
    pieces.push({ kind: 'text', text: source.slice(i, open) });
    const close = source.indexOf('}}', open);
    if (close < 0) throw new Error(`${name}: unclosed {{`);
    let inner = source.slice(open + 2, close);
    if (inner.startsWith('- ') || inner === '-') {
      inner = inner.slice(1);
      const last = pieces[pieces.length - 1];
      if (last?.kind === 'text') last.text = last.text.replace(/\s+$/, '');
    }
    let trimAfter = false;
    if (inner.endsWith(' -')) {
      inner = inner.slice(0, -1);
      trimAfter = true;
    }
    pieces.push({ kind: 'action', text: inner.trim() });
    i = close + 2;
    if (trimAfter) while (i < source.length && /\s/.test(source[i] as string)) i++;
  }

  const defines = new Map<string, Node[]>();
  let position = 0;
  // Parses nodes until one of `stops` ends the block; returns the stop word and its remaining text.
  const parseBlock = (stops: string[]): { nodes: Node[]; stop: string; rest: string } => {
    const nodes: Node[] = [];
    while (position < pieces.length) {
      const piece = pieces[position++] as (typeof pieces)[number];
      if (piece.kind === 'text') {
        if (piece.text !== '') nodes.push({ kind: 'text', text: piece.text });
        continue;
      }
      const text = piece.text;
      if (text.startsWith('/*')) {
        if (!text.endsWith('*/')) throw new Error(`${name}: a comment must fill its action`);
        continue;
      }
      const word = /^(\w+)\b\s*(.*)$/s.exec(text);
      const keyword = word?.[1] ?? '';
      const rest = word?.[2] ?? '';
      if (stops.includes(keyword)) return { nodes, stop: keyword, rest };
      if (keyword === 'if' || keyword === 'with') {
        const branches: Array<{ pipeline: Pipeline | null; body: Node[] }> = [];
        let condition: Pipeline | null = parsePipeline(tokenize(rest)).pipeline;
        for (;;) {
          const block = parseBlock(['else', 'end']);
          branches.push({ pipeline: condition, body: block.nodes });
          if (block.stop === 'end') break;
          if (block.rest.startsWith(`${keyword} `)) condition = parsePipeline(tokenize(block.rest.slice(keyword.length + 1))).pipeline;
          else if (block.rest === '') condition = null;
          else throw new Error(`${name}: unsupported {{else ${block.rest}}}`);
        }
        nodes.push({ kind: keyword, branches });
      } else if (keyword === 'range') {
        const pipeline = parsePipeline(tokenize(rest)).pipeline;
        const block = parseBlock(['else', 'end']);
        const elseBody = block.stop === 'else' ? parseBlock(['end']).nodes : [];
        nodes.push({ kind: 'range', pipeline, body: block.nodes, elseBody });
      } else if (keyword === 'define') {
        const defined = /^"([^"]+)"$/.exec(rest.trim());
        if (!defined) throw new Error(`${name}: {{define}} needs a quoted name`);
        defines.set(defined[1] as string, parseBlock(['end']).nodes);
      } else if (['else', 'end', 'template', 'block', 'break', 'continue'].includes(keyword)) {
        throw new Error(`${name}: unexpected or unsupported {{${text}}}`);
      } else {
        nodes.push({ kind: 'action', pipeline: parsePipeline(tokenize(text)).pipeline });
      }
    }
    if (stops.length > 0) throw new Error(`${name}: missing {{end}}`);
    return { nodes, stop: '', rest: '' };
  };
  const nodes = parseBlock([]).nodes;
  return { nodes, defines };
}

/** Go template truth: false, 0, nil, and empty strings, lists and maps are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** How an action prints its value (Helm renders a missing value as an empty string). */
export function printValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(printValue).join(' ')}]`;
  return `map[${Object.entries(value as Record<string, unknown>)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}:${printValue(v)}`)
    .join(' ')}]`;
}

/** Variables live in the block that declares them; `=` updates the declaring block's variable, as in Go. */
interface Scope {
  readonly dot: unknown;
  readonly vars: Map<string, unknown>;
  readonly parent?: Scope;
}

const child = (scope: Scope, dot: unknown = scope.dot): Scope => ({ dot, vars: new Map(), parent: scope });

function lookup(scope: Scope, name: string): Scope | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.vars.has(name)) return s;
  return undefined;
}

/** Renders parsed templates with a set of functions; `include` renders a `define` by name. */
export class TemplateEngine {
  private readonly defines = new Map<string, Node[]>();
  private readonly functions: Record<string, TemplateFunction>;

  constructor(functions: Record<string, TemplateFunction>) {
    this.functions = {
      ...functions,
      include: (name: unknown, dot: unknown) => this.include(String(name), dot),
    };
  }

  /** Adds a template's defines (from _helpers.tpl and every other file) and returns its body. */
  add(source: string, name: string): Node[] {
    const parsed = parseTemplate(source, name);
    for (const [key, body] of parsed.defines) this.defines.set(key, body);
    return parsed.nodes;
  }

  render(nodes: Node[], dot: unknown): string {
    return this.renderNodes(nodes, { dot, vars: new Map([['$', dot]]) });
  }

  include(name: string, dot: unknown): string {
    const body = this.defines.get(name);
    if (!body) throw new Error(`include: no template named ${JSON.stringify(name)}`);
    return this.render(body, dot);
  }

  private renderNodes(nodes: Node[], scope: Scope): string {
    let out = '';
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          out += node.text;
          break;
        case 'action': {
          const value = this.evalPipeline(node.pipeline, scope);
          if (!node.pipeline.declare) out += printValue(value);
          break;
        }
        case 'if':
        case 'with':
          for (const branch of node.branches) {
            const value = branch.pipeline ? this.evalPipeline(branch.pipeline, scope) : true;
            if (truthy(value)) {
              out += this.renderNodes(branch.body, child(scope, node.kind === 'with' && branch.pipeline ? value : scope.dot));
              break;
            }
          }
          break;
        case 'range': {
          const collection = this.evalPipeline({ commands: node.pipeline.commands }, scope);
          const names = node.pipeline.declare?.names ?? [];
          const entries: Array<[unknown, unknown]> = Array.isArray(collection)
            ? collection.map((v, i) => [i, v])
            : collection && typeof collection === 'object'
              ? Object.keys(collection)
                  .sort()
                  .map((k) => [k, (collection as Record<string, unknown>)[k]])
              : [];
          if (collection !== null && collection !== undefined && typeof collection !== 'object') throw new Error(`range over ${typeof collection}`);
          if (entries.length === 0) out += this.renderNodes(node.elseBody, child(scope));
          for (const [key, value] of entries) {
            const inner = child(scope, value);
            if (names.length === 1) inner.vars.set(names[0] as string, value);
            if (names.length === 2) {
              inner.vars.set(names[0] as string, key);
              inner.vars.set(names[1] as string, value);
            }
            out += this.renderNodes(node.body, inner);
          }
          break;
        }
      }
    }
    return out;
  }

  private evalPipeline(pipeline: Pipeline, scope: Scope): unknown {
    let value: unknown;
    pipeline.commands.forEach((command, index) => {
      value = this.evalCommand(command, scope, index === 0 ? [] : [value]);
    });
    if (pipeline.declare) {
      const [name] = pipeline.declare.names;
      if (pipeline.declare.names.length !== 1) throw new Error('only range declares two variables');
      const owner = pipeline.declare.mode === 'declare' ? scope : lookup(scope, name as string);
      if (!owner) throw new Error(`assignment to undeclared ${name}`);
      owner.vars.set(name as string, value);
    }
    return value;
  }

  private evalCommand(command: Command, scope: Scope, piped: unknown[]): unknown {
    const [head, ...rest] = command.operands;
    if (!head) throw new Error('empty command');
    if (head.kind === 'function') {
      const fn = this.functions[head.name];
      if (!fn) throw new Error(`function ${head.name} is not in the renderer's subset`);
      return fn(...rest.map((o) => this.evalOperand(o, scope)), ...piped);
    }
    const value = this.evalOperand(head, scope);
    if (typeof value === 'function') return (value as TemplateFunction)(...rest.map((o) => this.evalOperand(o, scope)), ...piped);
    if (rest.length > 0 || piped.length > 0) throw new Error('arguments given to a value that is not a function');
    return value;
  }

  private evalOperand(operand: Operand, scope: Scope): unknown {
    switch (operand.kind) {
      case 'literal':
        return operand.value;
      case 'pipeline':
        return this.evalPipeline(operand.pipeline, scope);
      case 'function': {
        const fn = this.functions[operand.name];
        if (!fn) throw new Error(`function ${operand.name} is not in the renderer's subset`);
        return fn();
      }
      case 'field': {
        let value: unknown;
        if (operand.base === 'dot') value = scope.dot;
        else {
          const owner = lookup(scope, operand.base);
          if (!owner) throw new Error(`undefined variable ${operand.base}`);
          value = owner.vars.get(operand.base);
        }
        for (const key of operand.path) {
          // Helm fails on a field of a missing value (nil pointer evaluating ...), so does this.
          if (value === null || value === undefined) throw new Error(`nil pointer evaluating .${operand.path.join('.')}`);
          if (typeof value !== 'object') throw new Error(`cannot read .${key} of ${typeof value}`);
          value = (value as Record<string, unknown>)[key];
        }
        return value;
      }
    }
  }
}
