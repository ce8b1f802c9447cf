/**
 * Evaluates ARM template expressions over a fake deployment (one subscription, one resource group,
 * stubbed `reference()` results), so tests check the values the app will receive (storage account
 * names, endpoints, app settings) rather than the text of the expressions. Only the functions these
 * templates use are implemented; an unknown one is an error, so a misspelt function fails.
 */
import { createHash } from 'node:crypto';
import { ArmExpressionError, isExpression, parseExpression, type Expr } from './arm-expression-parser';

/** The fake deployment an evaluation runs in. */
export interface Deployment {
  subscriptionId: string;
  tenantId: string;
  resourceGroup: string;
  location: string;
  parameters: Record<string, unknown>;
  variables: Record<string, unknown>;
  /** What `reference(id)` returns for a resource id. */
  reference: (resourceId: string) => Record<string, unknown>;
}

type Value = unknown;

/** Evaluates a template value: strings that are expressions are evaluated, objects and arrays deeply. */
export function evaluateValue(value: Value, deployment: Deployment): Value {
  if (typeof value === 'string') return isExpression(value) ? evaluate(parseExpression(value), deployment) : value.replace(/^\[\[/, '[');
  if (Array.isArray(value)) return value.map((item) => evaluateValue(item, deployment));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [String(evaluateValue(key, deployment)), evaluateValue(item, deployment)]));
  }
  return value;
}

export function evaluate(expr: Expr, deployment: Deployment): Value {
  switch (expr.kind) {
    case 'string':
    case 'number':
      return expr.value;
    case 'property': {
      const target = evaluate(expr.target, deployment);
      if (typeof target !== 'object' || target === null || !(expr.name in target)) {
        throw new ArmExpressionError(`No property "${expr.name}" on ${JSON.stringify(target)}`);
      }
      return (target as Record<string, Value>)[expr.name];
    }
    case 'index': {
      const target = evaluate(expr.target, deployment) as Record<string, Value>;
      return target[String(evaluate(expr.index, deployment))];
    }
    case 'call':
      return call(expr.name, expr.args.map((arg) => () => evaluate(arg, deployment)), deployment);
  }
}

function call(name: string, lazyArgs: Array<() => Value>, d: Deployment): Value {
  // if() evaluates only the branch it takes, as ARM does.
  if (name.toLowerCase() === 'if') {
    const [condition, whenTrue, whenFalse] = lazyArgs;
    return condition() === true ? whenTrue() : whenFalse();
  }
  const args = lazyArgs.map((arg) => arg());
  const str = (index: number): string => {
    if (typeof args[index] !== 'string') throw new ArmExpressionError(`${name}() argument ${index + 1} must be a string, got ${JSON.stringify(args[index])}`);
    return args[index] as string;
  };
  const subscriptionPath = `/subscriptions/${d.subscriptionId}`;
  const groupPath = `${subscriptionPath}/resourceGroups/${d.resourceGroup}`;
  switch (name.toLowerCase()) {
    case 'parameters':
      if (!(str(0) in d.parameters)) throw new ArmExpressionError(`Parameter ${str(0)} has no value`);
      return d.parameters[str(0)];
    case 'variables':
      if (!(str(0) in d.variables)) throw new ArmExpressionError(`Variable ${str(0)} is not defined`);
      return evaluateValue(d.variables[str(0)], d);
    case 'format':
      return str(0).replace(/\{(\d+)\}/g, (_match, index: string) => String(args[Number(index) + 1]));
    case 'concat':
      return args.every(Array.isArray) ? args.flat() : args.map(String).join('');
    case 'tolower':
      return str(0).toLowerCase();
    case 'toupper':
      return str(0).toUpperCase();
    case 'take':
      return Array.isArray(args[0]) ? args[0].slice(0, Number(args[1])) : str(0).slice(0, Number(args[1]));
    case 'string':
      return typeof args[0] === 'string' ? args[0] : typeof args[0] === 'object' ? JSON.stringify(args[0]) : String(args[0]);
    case 'empty':
      return args[0] === '' || args[0] === null || (Array.isArray(args[0]) && args[0].length === 0) || (typeof args[0] === 'object' && args[0] !== null && Object.keys(args[0]).length === 0);
    case 'not':
      return args[0] !== true;
    case 'and':
      return args.every((arg) => arg === true);
    case 'or':
      return args.some((arg) => arg === true);
    case 'equals':
      return JSON.stringify(args[0]) === JSON.stringify(args[1]);
    case 'length':
      return Array.isArray(args[0]) ? args[0].length : typeof args[0] === 'object' && args[0] !== null ? Object.keys(args[0]).length : str(0).length;
    case 'replace':
      return str(0).split(str(1)).join(str(2));
    case 'split':
      return str(0).split(str(1));
    case 'uniquestring':
      // ARM's is a 13-character base-32 hash; any deterministic 13 characters of [a-z0-9] will do here.
      return base32(hash(args.map(String).join('-'))).slice(0, 13);
    case 'guid': {
      const hex = hash(args.map(String).join('-')).toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    }
    case 'subscription':
      return { id: subscriptionPath, subscriptionId: d.subscriptionId, tenantId: d.tenantId, displayName: 'Test subscription' };
    case 'resourcegroup':
      return { id: groupPath, name: d.resourceGroup, location: d.location, properties: {} };
    case 'environment':
      return { name: 'AzureCloud', resourceManager: 'https://management.azure.com/', suffixes: { storage: 'core.windows.net' } };
    case 'resourceid':
      return `${groupPath}/providers/${typedPath(str(0), args.slice(1).map(String))}`;
    case 'subscriptionresourceid':
      return `${subscriptionPath}/providers/${typedPath(str(0), args.slice(1).map(String))}`;
    case 'extensionresourceid':
      return `${str(0)}/providers/${typedPath(str(1), args.slice(2).map(String))}`;
    case 'reference':
      return d.reference(str(0));
    default:
      throw new ArmExpressionError(`Unknown template function ${name}()`);
  }
}

/** "Microsoft.Storage/storageAccounts/blobServices" + ["acct", "default"] → "Microsoft.Storage/storageAccounts/acct/blobServices/default". */
function typedPath(type: string, names: string[]): string {
  const [namespace, ...types] = type.split('/');
  if (types.length !== names.length) throw new ArmExpressionError(`${type} needs ${types.length} names, got ${names.length}`);
  return [namespace, ...types.flatMap((segment, index) => [segment, names[index]])].join('/');
}

function hash(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function base32(bytes: Buffer): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = '';
  for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
  return (bits.match(/.{5}/g) ?? []).map((chunk) => alphabet[parseInt(chunk, 2)]).join('');
}
