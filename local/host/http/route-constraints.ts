/** The inline route constraints of ASP.NET routing that Functions apps commonly use. */
import { RouteTemplateError } from './route-template-error';

export interface RouteConstraint {
  text: string;
  test(value: string): boolean;
}

const SIMPLE: Record<string, (value: string) => boolean> = {
  int: (value) => /^-?\d+$/.test(value) && Math.abs(Number(value)) <= 2 ** 31,
  long: (value) => /^-?\d+$/.test(value),
  float: (value) => value.trim() !== '' && Number.isFinite(Number(value)),
  double: (value) => value.trim() !== '' && Number.isFinite(Number(value)),
  decimal: (value) => value.trim() !== '' && Number.isFinite(Number(value)),
  bool: (value) => /^(true|false)$/i.test(value),
  alpha: (value) => /^[A-Za-z]+$/.test(value),
  guid: (value) => /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i.test(value),
  datetime: (value) => !Number.isNaN(Date.parse(value)),
  required: (value) => value !== '',
};

export function routeConstraint(template: string, text: string): RouteConstraint {
  const simple = SIMPLE[text.toLowerCase()];
  if (simple) return { text, test: simple };
  const match = /^([a-z]+)\((.*)\)$/is.exec(text);
  if (!match) throw new RouteTemplateError(template, `unknown constraint "${text}"`);
  const name = match[1]!.toLowerCase();
  const argument = match[2]!;
  const numbers = argument.split(',').map((value) => Number(value.trim()));
  switch (name) {
    case 'regex': {
      const pattern = new RegExp(argument, 'i');
      return { text, test: (value) => pattern.test(value) };
    }
    case 'min':
      return { text, test: (value) => /^-?\d+$/.test(value) && Number(value) >= numbers[0]! };
    case 'max':
      return { text, test: (value) => /^-?\d+$/.test(value) && Number(value) <= numbers[0]! };
    case 'range':
      return { text, test: (value) => /^-?\d+$/.test(value) && Number(value) >= numbers[0]! && Number(value) <= numbers[1]! };
    case 'minlength':
      return { text, test: (value) => value.length >= numbers[0]! };
    case 'maxlength':
      return { text, test: (value) => value.length <= numbers[0]! };
    case 'length':
      return numbers.length > 1
        ? { text, test: (value) => value.length >= numbers[0]! && value.length <= numbers[1]! }
        : { text, test: (value) => value.length === numbers[0]! };
    default:
      throw new RouteTemplateError(template, `unknown constraint "${text}"`);
  }
}
