/**
 * Event filtering for SQS event source mappings (Lambda developer guide, "Control which events
 * Lambda sends to your function"). Filters are EventBridge-style patterns, ORed; a pattern's keys
 * are ANDed; a list of values is ORed; an array in the event matches if any element matches.
 * For SQS, `body` is matched inside the parsed JSON when the body is JSON, else as a plain string.
 */
export interface FilterCriteria {
  Filters?: { Pattern?: string }[];
}

export interface CompiledFilter {
  /** true when there are no filters or any filter matches */
  matches(record: { body: string }): boolean;
}

type Pattern = { [key: string]: Pattern | Rule[] };
type Rule = string | number | boolean | null | Record<string, unknown>;

const ABSENT = Symbol('absent');

export function compileFilterCriteria(criteria: FilterCriteria | undefined | null): CompiledFilter {
  const filters = criteria?.Filters ?? [];
  if (filters.length === 0) return { matches: () => true };
  const patterns = filters.map((filter, i) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(filter.Pattern ?? '');
    } catch {
      throw new Error(`Filter ${i + 1}: Pattern is not valid JSON`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`Filter ${i + 1}: Pattern must be a JSON object`);
    validatePattern(parsed as Pattern, `Filter ${i + 1}`);
    return parsed as Pattern;
  });
  return {
    matches(record) {
      // The body is parsed once per record, and only if some pattern looks into it.
      let event: object | undefined;
      const view = () => (event ??= { ...record, body: parseBody(record.body) });
      return patterns.some((pattern) => matchObject(pattern, view()));
    },
  };
}

function parseBody(body: string): unknown {
  const trimmed = body.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function validatePattern(pattern: Pattern, where: string): void {
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length === 0) throw new Error(`${where}: $or needs a list of patterns`);
      for (const alternative of value) validatePattern(alternative as unknown as Pattern, where);
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new Error(`${where}: ${key} has an empty list of values`);
    } else if (value === null || typeof value !== 'object') {
      throw new Error(`${where}: ${key} must be a list of values or a nested pattern`);
    } else {
      validatePattern(value, `${where}.${key}`);
    }
  }
}

function matchObject(pattern: Pattern, event: unknown): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(expected as unknown as Pattern[]).some((alternative) => matchObject(alternative, event))) return false;
      continue;
    }
    const value = event !== null && typeof event === 'object' && !Array.isArray(event) && key in event ? (event as Record<string, unknown>)[key] : ABSENT;
    if (Array.isArray(expected)) {
      if (!matchRules(expected, value)) return false;
    } else {
      // A nested pattern needs an object to look into (a non-JSON body never matches one).
      if (value === ABSENT || value === null || typeof value !== 'object') {
        if (!allowsAbsence(expected)) return false;
        continue;
      }
      const candidates = Array.isArray(value) ? value : [value];
      if (!candidates.some((v) => matchObject(expected, v))) return false;
    }
  }
  return true;
}

/** A nested pattern whose every leaf is `{exists: false}` matches a missing object. */
function allowsAbsence(pattern: Pattern): boolean {
  return Object.values(pattern).every((v) =>
    Array.isArray(v) ? v.some((r) => isObject(r) && r.exists === false) : allowsAbsence(v),
  );
}

function matchRules(rules: Rule[], value: unknown): boolean {
  if (value === ABSENT) return rules.some((rule) => isObject(rule) && rule.exists === false);
  const values = Array.isArray(value) ? value : [value];
  return rules.some((rule) => {
    if (isObject(rule) && 'exists' in rule) return rule.exists === true;
    return values.some((v) => matchRule(rule, v));
  });
}

function matchRule(rule: Rule, value: unknown): boolean {
  if (!isObject(rule)) return rule === value;
  if ('prefix' in rule) return typeof value === 'string' && matchPrefix(rule.prefix, value);
  if ('suffix' in rule) return typeof value === 'string' && matchSuffix(rule.suffix, value);
  if ('equals-ignore-case' in rule) {
    return typeof value === 'string' && typeof rule['equals-ignore-case'] === 'string' && value.toLowerCase() === rule['equals-ignore-case'].toLowerCase();
  }
  if ('numeric' in rule) return typeof value === 'number' && matchNumeric(rule.numeric as unknown[], value);
  if ('anything-but' in rule) return matchAnythingBut(rule['anything-but'], value);
  return false;
}

function matchPrefix(spec: unknown, value: string): boolean {
  if (typeof spec === 'string') return value.startsWith(spec);
  if (isObject(spec) && typeof spec['equals-ignore-case'] === 'string') return value.toLowerCase().startsWith(spec['equals-ignore-case'].toLowerCase());
  return false;
}

function matchSuffix(spec: unknown, value: string): boolean {
  if (typeof spec === 'string') return value.endsWith(spec);
  if (isObject(spec) && typeof spec['equals-ignore-case'] === 'string') return value.toLowerCase().endsWith(spec['equals-ignore-case'].toLowerCase());
  return false;
}

function matchNumeric(conditions: unknown[], value: number): boolean {
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const op = conditions[i];
    const bound = Number(conditions[i + 1]);
    const ok =
      op === '=' ? value === bound : op === '<' ? value < bound : op === '<=' ? value <= bound : op === '>' ? value > bound : op === '>=' ? value >= bound : false;
    if (!ok) return false;
  }
  return conditions.length >= 2;
}

function matchAnythingBut(spec: unknown, value: unknown): boolean {
  if (Array.isArray(spec)) return !spec.includes(value);
  if (isObject(spec)) {
    if ('prefix' in spec) return typeof value === 'string' && !matchPrefix(spec.prefix, value);
    if ('suffix' in spec) return typeof value === 'string' && !matchSuffix(spec.suffix, value);
    if ('equals-ignore-case' in spec) {
      const list = Array.isArray(spec['equals-ignore-case']) ? spec['equals-ignore-case'] : [spec['equals-ignore-case']];
      return typeof value === 'string' && !list.some((s) => typeof s === 'string' && s.toLowerCase() === value.toLowerCase());
    }
    return false;
  }
  return spec !== value;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
