/**
 * Event filtering for SQS event source mappings: Lambda developer guide, "Control which events Lambda sends to your
 * function" (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html). Filters are ORed; within a
 * pattern, keys are ANDed ("And"), a field's list of rules is ORed ("Or"), `$or` ORs whole sub-patterns, and an array
 * in the event matches if any of its elements matches (EventBridge, "Arrays in event patterns",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html). The rules themselves are in
 * filter-rules.ts.
 *
 * A filter that cannot be applied must never drop messages: compileFilterCriteria throws a FilterPatternError naming
 * the filter, the field path and the operator, and the engine holds delivery and shows the error instead.
 */
import { compileFieldRules, type FieldRules, isLeaf, isPlainObject, OPERATOR_NAMES, RuleError } from './filter-rules';

export interface FilterCriteria {
  Filters?: { Pattern?: string }[];
}

export interface CompiledFilter {
  /** true when there are no filters or any filter matches */
  matches(record: { body: string }): boolean;
}

/** Lambda API reference, Filter: "Pattern … Maximum length of 4096" (https://docs.aws.amazon.com/lambda/latest/api/API_Filter.html). */
export const MAX_PATTERN_LENGTH = 4096;

/** Why a filter cannot be applied: `filter` is 1-based as on the console, `path` the dotted field path. */
export class FilterPatternError extends Error {
  constructor(
    readonly filter: number,
    readonly path: string,
    readonly operator: string | undefined,
    readonly reason: string,
  ) {
    super(`Filter ${filter}: ${path ? `${path}: ` : ''}${operator && !reason.startsWith(operator) ? `${operator}: ` : ''}${reason}`);
    this.name = 'FilterPatternError';
  }
}

type Condition =
  | { kind: 'rules'; key: string; rules: FieldRules }
  | { kind: 'nested'; key: string; pattern: Condition[] }
  | { kind: 'or'; alternatives: Condition[][] };

interface Where {
  filter: number;
  path: string[];
  insideOr: boolean;
}

const ABSENT = Symbol('absent');

/** Compiles every filter, or throws a FilterPatternError for the first one that cannot be applied. */
export function compileFilterCriteria(criteria: FilterCriteria | undefined | null): CompiledFilter {
  const filters = criteria?.Filters ?? [];
  if (filters.length === 0) return { matches: () => true };
  const patterns = filters.map((filter, i) => compileFilter(filter.Pattern, i + 1));
  return {
    matches(record) {
      // The body is parsed once per record, and only when a pattern is tried.
      let event: Record<string, unknown> | undefined;
      const view = () => (event ??= { ...record, body: parseBody(record.body) });
      return patterns.some((pattern) => matchPattern(pattern, view(), true));
    },
  };
}

/** The engine's check: the error that holds delivery, or null when every filter can be applied. */
export function filterCriteriaError(criteria: FilterCriteria | undefined | null): FilterPatternError | null {
  try {
    compileFilterCriteria(criteria);
    return null;
  } catch (error) {
    if (error instanceof FilterPatternError) return error;
    throw error;
  }
}

function compileFilter(text: unknown, filter: number): Condition[] {
  const fail = (reason: string) => new FilterPatternError(filter, '', undefined, reason);
  if (typeof text !== 'string') throw fail('Pattern must be a string');
  if (text.length > MAX_PATTERN_LENGTH) throw fail(`Pattern is ${text.length} characters; Lambda allows at most ${MAX_PATTERN_LENGTH}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail('Pattern is not valid JSON');
  }
  if (!isPlainObject(parsed)) throw fail('Pattern must be a JSON object');
  return compilePattern(parsed, { filter, path: [], insideOr: false });
}

/** EventBridge event pattern structure, validated as aws/event-ruler's JsonRuleCompiler does. */
function compilePattern(pattern: Record<string, unknown>, where: Where): Condition[] {
  const fail = (path: string[], operator: string | undefined, reason: string) => new FilterPatternError(where.filter, path.join('.'), operator, reason);
  const entries = Object.entries(pattern);
  if (entries.length === 0) throw fail(where.path, undefined, 'empty objects are not allowed');
  return entries.map(([key, value]): Condition => {
    const path = [...where.path, key];
    if (key === '$or') return { kind: 'or', alternatives: compileOr(value, { ...where, path }) };
    if (where.insideOr && OPERATOR_NAMES.has(key)) throw fail(path, key, `"${key}" is an operator name and cannot be a field inside $or`);
    if (Array.isArray(value)) {
      try {
        return { kind: 'rules', key, rules: compileFieldRules(value) };
      } catch (error) {
        if (error instanceof RuleError) throw fail(path, error.operator, error.reason);
        throw error;
      }
    }
    if (isPlainObject(value)) return { kind: 'nested', key, pattern: compilePattern(value, { ...where, path }) };
    throw fail(path, undefined, `"${key}" must be an object or an array of rules`);
  });
}

/**
 * Lambda "Or (multiple fields)": "$or": [ { "Location": [ "New York" ] }, { "Day": [ "Monday" ] } ]. A list of
 * objects, none using an operator name as a field (event-ruler asks for two or more; one is accepted, as its meaning is
 * plain).
 */
function compileOr(value: unknown, where: Where): Condition[][] {
  if (!Array.isArray(value) || value.length === 0 || !value.every(isPlainObject)) {
    throw new FilterPatternError(where.filter, where.path.join('.'), '$or', '$or must be a non-empty array of JSON objects');
  }
  return value.map((alternative) => compilePattern(alternative, { ...where, insideOr: true }));
}

/**
 * Lambda, "Using event filtering with an Amazon SQS event source" (with-sqs-filtering.html): a body that is JSON is
 * matched by a pattern inside `body`; a body that is not is matched only by rules on `body` itself. A JSON object or
 * array is JSON here; anything else (including a bare JSON scalar such as `42`) is a plain string.
 */
function parseBody(body: string): unknown {
  const trimmed = body.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function matchPattern(pattern: Condition[], node: unknown, top: boolean): boolean {
  return pattern.every((condition) => matchCondition(condition, node, top));
}

function matchCondition(condition: Condition, node: unknown, top: boolean): boolean {
  if (condition.kind === 'or') return condition.alternatives.some((alternative) => matchPattern(alternative, node, top));
  const value = isPlainObject(node) && Object.hasOwn(node, condition.key) ? node[condition.key] : ABSENT;
  if (top && condition.key === 'body') {
    // The SQS table: a plain-string pattern against a JSON body, or a JSON pattern against a plain string, drops.
    const isJson = typeof value !== 'string';
    if (condition.kind === 'rules' && isJson) return false;
    if (condition.kind === 'nested' && !isJson) return false;
  }
  if (condition.kind === 'rules') return matchRules(condition.rules, value);
  const objects = collect(value, isPlainObject);
  // No object there: every field below is absent (which only `exists: false` accepts).
  if (objects.length === 0) return matchPattern(condition.pattern, ABSENT, false);
  return objects.some((object) => matchPattern(condition.pattern, object, false));
}

/**
 * Rules compare leaves; an array offers each of its leaves. EventBridge: "Comparison operators only work on leaf
 * nodes"; event-ruler README, Exists matching: "only works on the leaf nodes", so a field holding an object (or an
 * empty array) does not exist for `exists: true` and does for `exists: false`.
 */
function matchRules(rules: FieldRules, value: unknown): boolean {
  const leaves = collect(value, isLeaf);
  if (leaves.length === 0) return rules.existsFalse;
  return rules.existsTrue || leaves.some((leaf) => rules.tests.some((test) => test(leaf)));
}

/** The value itself, or the elements of an array (nested arrays flattened), that pass `keep`. */
function collect<T>(value: unknown, keep: (x: unknown) => x is T, out: T[] = []): T[] {
  if (Array.isArray(value)) for (const element of value) collect(element, keep, out);
  else if (value !== ABSENT && keep(value)) out.push(value);
  return out;
}
