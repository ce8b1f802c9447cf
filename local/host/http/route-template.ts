/**
 * ASP.NET Core route templates as Azure Functions uses them for HTTP routes: literal segments,
 * `{param}`, `{param?}`, `{param=default}`, `{param:constraint}`, catch-all `{*rest}` / `{**rest}`
 * and multi-part segments such as `{name}.{ext}`. Precedence follows ASP.NET's inbound order, so a
 * literal beats a parameter, a constrained parameter beats a free one, and a catch-all comes last.
 */
import { routeConstraint, type RouteConstraint } from './route-constraints';
import { RouteTemplateError } from './route-template-error';

export { RouteTemplateError };

interface LiteralPart {
  kind: 'literal';
  text: string;
}

interface ParameterPart {
  kind: 'parameter';
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue: string | undefined;
  constraints: RouteConstraint[];
}

type Part = LiteralPart | ParameterPart;

interface Segment {
  parts: Part[];
  /** For multi-part segments: the whole segment as one regular expression. */
  pattern?: RegExp;
}

export interface RouteTemplate {
  template: string;
  segments: Segment[];
  /** ASP.NET's inbound precedence, one digit per segment; lower sorts first. */
  precedence: number[];
}

export function parseRouteTemplate(template: string): RouteTemplate {
  const trimmed = template.replace(/^~?\/+/, '').replace(/\/+$/, '');
  const segments = trimmed === '' ? [] : trimmed.split('/').map((text) => parseSegment(template, text));
  segments.forEach((segment, index) => {
    const catchAll = segment.parts.some((part) => part.kind === 'parameter' && part.catchAll);
    if (catchAll && index !== segments.length - 1) throw new RouteTemplateError(template, 'a catch-all must be the last segment');
  });
  return { template, segments, precedence: segments.map(precedenceDigit) };
}

function parseSegment(template: string, text: string): Segment {
  if (text === '') throw new RouteTemplateError(template, 'empty segment');
  const parts: Part[] = [];
  let rest = text;
  while (rest !== '') {
    if (rest.startsWith('{')) {
      const end = findClosingBrace(rest);
      if (end < 0) throw new RouteTemplateError(template, `unclosed "{" in "${text}"`);
      parts.push(parseParameter(template, rest.slice(1, end)));
      rest = rest.slice(end + 1);
    } else {
      const next = rest.indexOf('{');
      const literal = next < 0 ? rest : rest.slice(0, next);
      if (literal.includes('}')) throw new RouteTemplateError(template, `stray "}" in "${text}"`);
      parts.push({ kind: 'literal', text: literal });
      rest = next < 0 ? '' : rest.slice(next);
    }
  }
  if (parts.length === 1) return { parts };
  if (parts.some((part) => part.kind === 'parameter' && part.catchAll)) {
    throw new RouteTemplateError(template, `a catch-all cannot share segment "${text}"`);
  }
  const source = parts
    .map((part) => (part.kind === 'literal' ? escapeRegExp(part.text) : `(?<${groupName(part.name)}>.+?)`))
    .join('');
  return { parts, pattern: new RegExp(`^${source}$`, 'i') };
}

/** Braces inside a constraint such as regex(^\d{3}$) are doubled in ASP.NET; skip over them. */
function findClosingBrace(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '}' && text[i + 1] === '}') {
      i++;
      continue;
    }
    if (text[i] === '}') return i;
  }
  return -1;
}

function parseParameter(template: string, body: string): ParameterPart {
  const match = /^(\*{1,2})?([A-Za-z_][A-Za-z0-9_]*)(.*)$/s.exec(body);
  if (!match) throw new RouteTemplateError(template, `bad parameter "{${body}}"`);
  const [, stars, name, tail] = match as unknown as [string, string | undefined, string, string];
  let rest = tail;
  let optional = false;
  let defaultValue: string | undefined;
  if (rest.endsWith('?')) {
    optional = true;
    rest = rest.slice(0, -1);
  }
  const equals = rest.indexOf('=');
  if (equals >= 0 && !rest.slice(0, equals).includes('(')) {
    defaultValue = rest.slice(equals + 1);
    rest = rest.slice(0, equals);
  }
  const constraints = splitConstraints(rest.replace(/\}\}/g, '}').replace(/\{\{/g, '{')).map((text) => routeConstraint(template, text));
  return { kind: 'parameter', name, optional, catchAll: Boolean(stars), defaultValue, constraints };
}

/** ":int:min(1)" → ["int", "min(1)"], keeping colons inside parentheses. */
function splitConstraints(text: string): string[] {
  const result: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ':' && depth === 0) {
      if (current !== '') result.push(current);
      current = '';
    } else current += char;
  }
  if (current !== '') result.push(current);
  return result;
}

function precedenceDigit(segment: Segment): number {
  if (segment.parts.length > 1) return 2;
  const part = segment.parts[0]!;
  if (part.kind === 'literal') return 1;
  const digit = part.catchAll ? 5 : 3;
  return part.constraints.length > 0 ? digit - 1 : digit;
}

/** Sorts templates into matching order: by precedence digits, then by template text. */
export function compareRouteTemplates(a: RouteTemplate, b: RouteTemplate): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    const difference = (a.precedence[i] ?? 0) - (b.precedence[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.template.toLowerCase() < b.template.toLowerCase() ? -1 : a.template.toLowerCase() > b.template.toLowerCase() ? 1 : 0;
}

/** Route values when `path` (no leading slash, no query) matches, else undefined. */
export function matchRouteTemplate(route: RouteTemplate, path: string): Record<string, string> | undefined {
  const raw = path.replace(/^\/+/, '').replace(/\/+$/, '');
  const pathSegments = raw === '' ? [] : raw.split('/');
  const values: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i]!;
    const part = segment.parts[0]!;
    if (part.kind === 'parameter' && part.catchAll) {
      const rest = pathSegments.slice(i).map(decodeSegment).join('/');
      if (rest === '' && part.defaultValue !== undefined) values[part.name] = part.defaultValue;
      else if (rest !== '') values[part.name] = rest;
      if (rest !== '' && !part.constraints.every((constraint) => constraint.test(rest))) return undefined;
      return values;
    }
    const text = pathSegments[i];
    if (text === undefined) {
      // Only trailing optional (or defaulted) parameters may be missing.
      if (part.kind === 'parameter' && segment.parts.length === 1 && (part.optional || part.defaultValue !== undefined)) {
        if (part.defaultValue !== undefined) values[part.name] = part.defaultValue;
        continue;
      }
      return undefined;
    }
    if (!matchSegment(segment, decodeSegment(text), values)) return undefined;
  }
  return pathSegments.length <= route.segments.length ? values : undefined;
}

function matchSegment(segment: Segment, text: string, values: Record<string, string>): boolean {
  if (segment.pattern) {
    const match = segment.pattern.exec(text);
    if (!match) return false;
    for (const part of segment.parts) {
      if (part.kind !== 'parameter') continue;
      const value = match.groups?.[groupName(part.name)] ?? '';
      if (!part.constraints.every((constraint) => constraint.test(value))) return false;
      values[part.name] = value;
    }
    return true;
  }
  const part = segment.parts[0]!;
  if (part.kind === 'literal') return part.text.toLowerCase() === text.toLowerCase();
  if (!part.constraints.every((constraint) => constraint.test(text))) return false;
  values[part.name] = text;
  return true;
}

/** Route values are URL-decoded, except an encoded slash, as ASP.NET does. */
function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text.replace(/%2F/gi, '%252F'));
  } catch {
    return text;
  }
}

function groupName(name: string): string {
  return `p_${name}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
