/**
 * The comparison operators of a filter rule: each rule in a field's list compiles to a test of one leaf value of the
 * event, or throws a RuleError saying why it cannot be applied. Pure functions, no I/O.
 *
 * Sources (cited per rule below):
 *  [L]  Lambda developer guide, "Control which events Lambda sends to your function", Filter rule syntax
 *       https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
 *  [EB] EventBridge, "Comparison operators for use in event patterns"
 *       https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 *  [ER] aws/event-ruler, the matcher those pages describe: README and JsonRuleCompiler.java (validation messages)
 *       https://github.com/aws/event-ruler
 */

/** A leaf of the event: what a rule compares against (objects and arrays are not leaves). */
export type Leaf = string | number | boolean | null;
export type LeafTest = (value: Leaf) => boolean;

/** The compiled rule list of one field: ORed tests, plus the `exists` rules, which look at presence instead. */
export interface FieldRules {
  tests: LeafTest[];
  existsTrue: boolean;
  existsFalse: boolean;
}

/** Thrown for a rule that cannot be applied; the pattern compiler adds the filter and the field path. */
export class RuleError extends Error {
  constructor(
    readonly operator: string | undefined,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Operators that name rules, never fields inside `$or` ([ER] Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP). */
export const OPERATOR_NAMES = new Set(['exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr']);

const OPERATORS: Record<string, (operand: unknown) => LeafTest> = {
  prefix: (o) => affix('prefix', o, (v, s) => v.startsWith(s)),
  suffix: (o) => affix('suffix', o, (v, s) => v.endsWith(s)),
  'equals-ignore-case': equalsIgnoreCase,
  wildcard: (o) => wildcard('wildcard', o),
  'anything-but': anythingBut,
  numeric,
  cidr,
};

/** A field's list of rules, ORed ([L] "Or": "PaymentType": [ "Credit", "Debit" ]); an empty list is refused ([ER]). */
export function compileFieldRules(rules: unknown[]): FieldRules {
  if (rules.length === 0) throw new RuleError(undefined, 'empty arrays are not allowed: a field needs at least one rule');
  const out: FieldRules = { tests: [], existsTrue: false, existsFalse: false };
  for (const rule of rules) {
    if (isLeaf(rule)) {
      out.tests.push(exact(rule));
      continue;
    }
    if (!isPlainObject(rule)) throw new RuleError(undefined, 'a match value must be a string, number, true, false, null or an {operator: operand} object');
    const entries = Object.entries(rule);
    if (entries.length !== 1) throw new RuleError(entries.map(([k]) => k).join(', ') || '{}', 'only one operator is allowed in a match expression');
    const [operator, operand] = entries[0];
    if (operator === 'exists') {
      // [L] Exists / Does not exist: "ProductName": [ { "exists": true } ] / [ { "exists": false } ]
      if (typeof operand !== 'boolean') throw new RuleError('exists', 'exists match pattern must be either true or false');
      if (operand) out.existsTrue = true;
      else out.existsFalse = true;
      continue;
    }
    const compile = Object.hasOwn(OPERATORS, operator) ? OPERATORS[operator] : undefined;
    if (!compile) throw new RuleError(operator, `unsupported operator "${operator}" (sqsflare applies ${Object.keys(OPERATORS).join(', ')}, exists)`);
    out.tests.push(compile(operand));
  }
  return out;
}

/**
 * [L] Null, Empty, Equals: "UserID": [ null ], "LastName": [""], "Name": [ "Alice" ]; null and "" differ
 * (EventBridge, "Matching null values and empty strings"). A number equals numerically (3.018e2 = 301.8, [ER] numeric
 * matching), never a string; an IP literal equals the same address however it is written ([ER] CIDR.ipToRangeIfPossible).
 */
function exact(expected: Leaf): LeafTest {
  const ip = typeof expected === 'string' ? parseIp(expected) : null;
  if (ip) return (v) => v === expected || (typeof v === 'string' && sameIp(parseIp(v), ip));
  return (v) => v === expected;
}

/** [L] Equals (ignore case): "Name": [ { "equals-ignore-case": "alice" } ]; strings only. */
function equalsIgnoreCase(operand: unknown): LeafTest {
  if (typeof operand !== 'string') throw new RuleError('equals-ignore-case', 'equals-ignore-case match pattern must be a string');
  const folded = fold(operand);
  return (v) => typeof v === 'string' && fold(v) === folded;
}

/**
 * [L] Begins with / Ends with: "Region": [ {"prefix": "us-" } ], "FileName": [ { "suffix": ".png" } ]; strings only.
 * [EB] Begins/Ends with (ignore case): { "prefix": { "equals-ignore-case": "eventb" } }.
 */
function affix(operator: string, operand: unknown, test: (value: string, affix: string) => boolean): LeafTest {
  if (typeof operand === 'string') return (v) => typeof v === 'string' && test(v, operand);
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') throw new RuleError(operator, `unsupported ${operator} pattern: ${keys.join(', ') || '{}'} (only equals-ignore-case)`);
    const inner = operand['equals-ignore-case'];
    if (typeof inner !== 'string') throw new RuleError(operator, `${operator}/equals-ignore-case match pattern must be a string`);
    const folded = fold(inner);
    return (v) => typeof v === 'string' && test(fold(v), folded);
  }
  throw new RuleError(operator, `${operator} match pattern must be a string or {"equals-ignore-case": string}`);
}

/**
 * [EB] Wildcard: { "wildcard": "Simple*Service" }; strings only. [ER]: `*` matches any run of characters, none
 * included; `\*` is a literal asterisk and `\\` a literal backslash, any other escape is refused, and so are two
 * consecutive wildcards. Matched segment by segment (linear; no regular expression to backtrack).
 */
function wildcard(operator: string, operand: unknown): LeafTest {
  if (typeof operand !== 'string') throw new RuleError(operator, 'wildcard match pattern must be a string');
  const segments: string[] = [''];
  let afterWildcard = false;
  for (let i = 0; i < operand.length; i++) {
    const c = operand[i];
    if (c === '*') {
      if (afterWildcard) throw new RuleError(operator, `wildcard: consecutive wildcard characters at position ${i}`);
      segments.push('');
    } else if (c === '\\') {
      const next = operand[i + 1];
      if (next !== '*' && next !== '\\') throw new RuleError(operator, `wildcard: invalid escape character at position ${i}`);
      segments[segments.length - 1] += next;
      i++;
    } else segments[segments.length - 1] += c;
    afterWildcard = c === '*';
  }
  return (v) => typeof v === 'string' && globMatches(segments, v);
}

function globMatches(segments: string[], value: string): boolean {
  const first = segments[0];
  const last = segments[segments.length - 1];
  if (segments.length === 1) return value === first;
  if (!value.startsWith(first) || value.length < first.length + last.length || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const found = value.indexOf(segments[i], at);
    if (found < 0 || found + segments[i].length > end) return false;
    at = found + segments[i].length;
  }
  return true;
}

/**
 * [L] Not: "Weather": [ { "anything-but": [ "Raining" ] } ]. [EB]/[ER]: a single string or number, or a list of only
 * strings or only numbers; or { prefix | suffix | equals-ignore-case | wildcard: string or list of strings }.
 * It matches any present leaf the inner rule does not match (non-strings never match the string forms).
 */
function anythingBut(operand: unknown): LeafTest {
  const op = 'anything-but';
  if (typeof operand === 'string' || typeof operand === 'number') return (v) => v !== operand;
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw new RuleError(op, 'anything-but list must not be empty');
    const allStrings = operand.every((x) => typeof x === 'string');
    if (!allStrings && !operand.every((x) => typeof x === 'number')) {
      throw new RuleError(op, 'inside an anything-but list, all values must be strings or all numbers (no null, boolean or object)');
    }
    const excluded: Leaf[] = operand;
    return (v) => !excluded.includes(v);
  }
  if (!isPlainObject(operand)) throw new RuleError(op, 'value of anything-but must be a string, a number, a list, or {prefix|suffix|equals-ignore-case|wildcard: …}');
  const entries = Object.entries(operand);
  if (entries.length !== 1) throw new RuleError(op, 'anything-but takes exactly one of prefix, suffix, equals-ignore-case, wildcard');
  const [inner, value] = entries[0];
  const values = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(values) || values.length === 0 || !values.every((x) => typeof x === 'string')) {
    throw new RuleError(op, `anything-but/${inner} needs a string or a non-empty list of strings`);
  }
  let tests: LeafTest[];
  if (inner === 'prefix' || inner === 'suffix') {
    if (values.includes('')) throw new RuleError(op, `anything-but/${inner}: empty ${inner} not allowed`);
    tests = values.map((s) => affix(inner, s, inner === 'prefix' ? (v, a) => v.startsWith(a) : (v, a) => v.endsWith(a)));
  } else if (inner === 'equals-ignore-case') tests = values.map(equalsIgnoreCase);
  else if (inner === 'wildcard') tests = values.map((s) => wildcard(op, s));
  else throw new RuleError(op, `unsupported anything-but pattern: ${inner}`);
  return (v) => !tests.some((t) => t(v));
}

const COMPARE: Record<string, (v: number, bound: number) => boolean> = {
  '=': (v, b) => v === b,
  '<': (v, b) => v < b,
  '<=': (v, b) => v <= b,
  '>': (v, b) => v > b,
  '>=': (v, b) => v >= b,
};

/**
 * [L] Numeric (equals) ["=", 100] and (range) [">", 10, "<=", 20]; JSON numbers only, compared as numbers
 * (IEEE-754 doubles, as [ER] ComparableNumber). [ER] JsonRuleCompiler: one comparison, or a lower bound (> or >=)
 * followed by an upper bound (< or <=) above it; several ranges are several numeric rules in the field's list.
 */
function numeric(operand: unknown): LeafTest {
  const op = 'numeric';
  if (!Array.isArray(operand) || operand.length === 0) throw new RuleError(op, 'value of numeric must be a non-empty array');
  if (operand.length !== 2 && operand.length !== 4) throw new RuleError(op, 'too many or too few elements in numeric expression');
  const checks: [(v: number, b: number) => boolean, number][] = [];
  for (let i = 0; i < operand.length; i += 2) {
    const [comparison, bound] = [operand[i], operand[i + 1]];
    if (typeof comparison !== 'string' || !Object.hasOwn(COMPARE, comparison)) throw new RuleError(op, `unrecognized numeric operator: ${JSON.stringify(comparison)}`);
    if (typeof bound !== 'number' || !Number.isFinite(bound)) throw new RuleError(op, `value of ${comparison} must be numeric`);
    checks.push([COMPARE[comparison], bound]);
  }
  if (operand.length === 4) {
    if (operand[0] !== '>' && operand[0] !== '>=') throw new RuleError(op, `a numeric range starts with > or >=, not ${operand[0]}`);
    if (operand[2] !== '<' && operand[2] !== '<=') throw new RuleError(op, `bad numeric range operator: ${operand[2]} (a range ends with < or <=)`);
    if (!((operand[1] as number) < (operand[3] as number))) throw new RuleError(op, 'bottom must be less than top');
  }
  return (v) => typeof v === 'number' && checks.every(([compare, bound]) => compare(v, bound));
}

interface Ip {
  version: 4 | 6;
  value: bigint;
}

/**
 * [EB] IP address matching: "sourceIPAddress": [ { "cidr": "10.0.0.0/24" } ], IPv4 and IPv6 ([ER] "This also works
 * with IPv6 addresses"). [ER] CIDR.cidr: one '/', integer mask bits, a valid address. (event-ruler refuses /32 and /128;
 * they have one clear meaning, a single address, so they are accepted here rather than hold a queue.)
 */
function cidr(operand: unknown): LeafTest {
  if (typeof operand !== 'string') throw new RuleError('cidr', 'cidr match pattern must be a string');
  const parts = operand.split('/');
  if (parts.length !== 2) throw new RuleError('cidr', `malformed CIDR ${operand}: one '/' required`);
  if (!/^\d{1,3}$/.test(parts[1])) throw new RuleError('cidr', `malformed CIDR ${operand}: mask bits must be an integer`);
  const ip = parseIp(parts[0]);
  if (!ip) throw new RuleError('cidr', `malformed CIDR ${operand}: invalid IP address ${parts[0]}`);
  const width = ip.version === 4 ? 32 : 128;
  const bits = Number(parts[1]);
  if (bits > width) throw new RuleError('cidr', `malformed CIDR ${operand}: IPv${ip.version} mask bits must be ≤ ${width}`);
  const shift = BigInt(width - bits);
  const network = ip.value >> shift;
  return (v) => {
    if (typeof v !== 'string') return false;
    const candidate = parseIp(v);
    return candidate !== null && candidate.version === ip.version && candidate.value >> shift === network;
  };
}

function sameIp(a: Ip | null, b: Ip): boolean {
  return a !== null && a.version === b.version && a.value === b.value;
}

/** Dotted-quad IPv4, or IPv6 with `::` and an optional trailing dotted quad; null when it is not an IP literal. */
export function parseIp(text: string): Ip | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { version: 4, value: v4 };
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const words: number[] = [];
  for (const [i, group] of [...head, ...tail].entries()) {
    const isLast = i === head.length + tail.length - 1;
    const quad = isLast && (halves.length === 1 || tail.length > 0) ? parseIpv4(group) : null;
    if (quad !== null) words.push(Number(quad >> 16n), Number(quad & 0xffffn));
    else if (/^[0-9a-fA-F]{1,4}$/.test(group)) words.push(Number.parseInt(group, 16));
    else return null;
  }
  const missing = 8 - words.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const headWords = words.slice(0, head.length);
  const all = [...headWords, ...new Array(halves.length === 2 ? missing : 0).fill(0), ...words.slice(head.length)];
  return { version: 6, value: all.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n) };
}

function parseIpv4(text: string): bigint | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);
}

function fold(s: string): string {
  return s.toLowerCase();
}

export function isLeaf(x: unknown): x is Leaf {
  return x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
