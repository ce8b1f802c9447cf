/**
 * The ARM template expression language's syntax: "[func(args).property[index]]" with string and
 * integer literals, parsed to a small tree that the tests inspect (function names, parameter and
 * variable references) and that arm-expression-evaluator.ts evaluates.
 */

export type Expr =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'property'; target: Expr; name: string }
  | { kind: 'index'; target: Expr; index: Expr };

export class ArmExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArmExpressionError';
  }
}

/** "[...]" is an expression; "[[..." is the escape for a literal starting with "[". */
export function isExpression(text: string): boolean {
  return text.startsWith('[') && text.endsWith(']') && !text.startsWith('[[');
}

export function parseExpression(text: string): Expr {
  if (!isExpression(text)) throw new ArmExpressionError(`Not an expression: ${text}`);
  const parser = new Parser(text.slice(1, -1));
  const expr = parser.expression();
  parser.end();
  return expr;
}

class Parser {
  private pos = 0;
  constructor(private readonly source: string) {}

  expression(): Expr {
    this.skipSpace();
    let expr = this.primary();
    for (;;) {
      this.skipSpace();
      if (this.peek() === '.') {
        this.pos++;
        expr = { kind: 'property', target: expr, name: this.identifier() };
      } else if (this.peek() === '[') {
        this.pos++;
        const index = this.expression();
        this.expect(']');
        expr = { kind: 'index', target: expr, index };
      } else {
        return expr;
      }
    }
  }

  end(): void {
    this.skipSpace();
    if (this.pos !== this.source.length) this.fail(`unexpected "${this.source.slice(this.pos)}"`);
  }

  private primary(): Expr {
    const char = this.peek();
    if (char === "'") return { kind: 'string', value: this.stringLiteral() };
    if (char !== undefined && /[-0-9]/.test(char)) return { kind: 'number', value: this.number() };
    const name = this.identifier();
    this.skipSpace();
    this.expect('(');
    const args: Expr[] = [];
    this.skipSpace();
    if (this.peek() !== ')') {
      for (;;) {
        args.push(this.expression());
        this.skipSpace();
        if (this.peek() !== ',') break;
        this.pos++;
      }
    }
    this.expect(')');
    return { kind: 'call', name, args };
  }

  private stringLiteral(): string {
    this.expect("'");
    let value = '';
    for (;;) {
      const char = this.source[this.pos++];
      if (char === undefined) this.fail('unterminated string');
      if (char === "'") {
        if (this.source[this.pos] !== "'") return value;
        this.pos++; // '' is an escaped quote
      }
      value += char;
    }
  }

  private number(): number {
    const match = /^-?\d+/.exec(this.source.slice(this.pos));
    if (!match) this.fail('expected a number');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private identifier(): string {
    this.skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.source.slice(this.pos));
    if (!match) this.fail('expected a name');
    this.pos += match[0].length;
    return match[0];
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.source[this.pos] !== char) this.fail(`expected "${char}"`);
    this.pos++;
  }

  private peek(): string | undefined {
    return this.source[this.pos];
  }

  private skipSpace(): void {
    while (this.source[this.pos] === ' ') this.pos++;
  }

  private fail(message: string): never {
    throw new ArmExpressionError(`${message} at ${this.pos} in [${this.source}]`);
  }
}

/** Every function call name in an expression, in order. */
export function functionNames(expr: Expr): string[] {
  switch (expr.kind) {
    case 'call':
      return [expr.name, ...expr.args.flatMap(functionNames)];
    case 'property':
      return functionNames(expr.target);
    case 'index':
      return [...functionNames(expr.target), ...functionNames(expr.index)];
    default:
      return [];
  }
}

/** parameters('x') / variables('x') references (with literal names) in an expression. */
export function references(expr: Expr): { parameters: string[]; variables: string[] } {
  const found = { parameters: [] as string[], variables: [] as string[] };
  const visit = (node: Expr): void => {
    if (node.kind === 'call') {
      if ((node.name === 'parameters' || node.name === 'variables') && node.args.length === 1) {
        const [arg] = node.args;
        if (arg.kind !== 'string') throw new ArmExpressionError(`${node.name}() with a computed name cannot be checked`);
        found[node.name].push(arg.value);
      }
      node.args.forEach(visit);
    } else if (node.kind === 'property') {
      visit(node.target);
    } else if (node.kind === 'index') {
      visit(node.target);
      visit(node.index);
    }
  };
  visit(expr);
  return found;
}
