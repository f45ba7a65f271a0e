import { describe, expect, it } from 'vitest';
import { compileFilterCriteria } from '../../src/delivery/filter';

// Examples come from the AWS pages the rules cite:
//  L  = Lambda developer guide, "Control which events Lambda sends to your function", Filter rule syntax
//       https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
//  LS = "Using event filtering with an Amazon SQS event source" https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html
//  EB = EventBridge "Comparison operators for use in event patterns"
//       https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
//  ER = aws/event-ruler README (the matcher EventBridge documents), https://github.com/aws/event-ruler

const compile = (...patterns: unknown[]) =>
  compileFilterCriteria({ Filters: patterns.map((p) => ({ Pattern: typeof p === 'string' ? p : JSON.stringify(p) })) });

/** Does a pattern on the JSON body match a message whose body is `body` (an object is sent as JSON)? */
const bodyMatches = (bodyPattern: unknown, body: unknown) =>
  compile({ body: bodyPattern }).matches({ body: typeof body === 'string' ? body : JSON.stringify(body) });

/** Shorthand: pattern `{field: rules}` inside the body against `{field: value}` (value undefined = field absent). */
const field = (rules: unknown[], value: unknown) => bodyMatches({ f: rules }, value === undefined ? {} : { f: value });

describe('filter rule syntax (L table)', () => {
  it('Null: "UserID": [ null ]', () => {
    expect(bodyMatches({ UserID: [null] }, { UserID: null })).toBe(true);
    expect(bodyMatches({ UserID: [null] }, { UserID: '' })).toBe(false);
    expect(bodyMatches({ UserID: [null] }, {})).toBe(false);
  });

  it('Empty: "LastName": [""] — an empty string is not null', () => {
    expect(bodyMatches({ LastName: [''] }, { LastName: '' })).toBe(true);
    expect(bodyMatches({ LastName: [''] }, { LastName: null })).toBe(false);
  });

  it('Equals: "Name": [ "Alice" ] (case-sensitive, strings never equal numbers)', () => {
    expect(field(['Alice'], 'Alice')).toBe(true);
    expect(field(['Alice'], 'alice')).toBe(false);
    expect(field(['123'], 123)).toBe(false);
    expect(field([123], '123')).toBe(false);
    expect(field([true], true)).toBe(true);
    expect(field([true], 'true')).toBe(false);
  });

  it('Equals on numbers compares numerically: 3.018e2 equals 301.8 (ER numeric matching)', () => {
    expect(field([3.018e2], 301.8)).toBe(true);
    expect(field([300], 300.0)).toBe(true);
    expect(field([300], 301)).toBe(false);
  });

  it('Equals (ignore case): "Name": [ { "equals-ignore-case": "alice" } ]', () => {
    expect(field([{ 'equals-ignore-case': 'alice' }], 'ALICE')).toBe(true);
    expect(field([{ 'equals-ignore-case': 'alice' }], 'Alice')).toBe(true);
    expect(field([{ 'equals-ignore-case': 'alice' }], 'Alicia')).toBe(false);
    expect(field([{ 'equals-ignore-case': 'alice' }], 5)).toBe(false);
  });

  it('And: "Location": [ "New York" ], "Day": [ "Monday" ]', () => {
    const p = { Location: ['New York'], Day: ['Monday'] };
    expect(bodyMatches(p, { Location: 'New York', Day: 'Monday' })).toBe(true);
    expect(bodyMatches(p, { Location: 'New York', Day: 'Tuesday' })).toBe(false);
  });

  it('Or: "PaymentType": [ "Credit", "Debit" ]', () => {
    expect(field(['Credit', 'Debit'], 'Debit')).toBe(true);
    expect(field(['Credit', 'Debit'], 'Cash')).toBe(false);
  });

  it('Or (multiple fields): "$or": [ { "Location": [ "New York" ] }, { "Day": [ "Monday" ] } ]', () => {
    const p = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] };
    expect(bodyMatches(p, { Location: 'Paris', Day: 'Monday' })).toBe(true);
    expect(bodyMatches(p, { Location: 'New York', Day: 'Sunday' })).toBe(true);
    expect(bodyMatches(p, { Location: 'Paris', Day: 'Sunday' })).toBe(false);
  });

  it('Not: "Weather": [ { "anything-but": [ "Raining" ] } ] — an absent field is not "anything but"', () => {
    expect(field([{ 'anything-but': ['Raining'] }], 'Sunny')).toBe(true);
    expect(field([{ 'anything-but': ['Raining'] }], 'Raining')).toBe(false);
    expect(field([{ 'anything-but': ['Raining'] }], undefined)).toBe(false);
  });

  it('Numeric (equals): "Price": [ { "numeric": [ "=", 100 ] } ]', () => {
    expect(field([{ numeric: ['=', 100] }], 100)).toBe(true);
    expect(field([{ numeric: ['=', 100] }], 100.0)).toBe(true);
    expect(field([{ numeric: ['=', 100] }], 101)).toBe(false);
    expect(field([{ numeric: ['=', 100] }], '100')).toBe(false);
  });

  it('Numeric (range): "Price": [ { "numeric": [ ">", 10, "<=", 20 ] } ]', () => {
    const r = [{ numeric: ['>', 10, '<=', 20] }];
    expect(field(r, 20)).toBe(true);
    expect(field(r, 10.5)).toBe(true);
    expect(field(r, 10)).toBe(false);
    expect(field(r, 20.000001)).toBe(false);
  });

  it('Exists / Does not exist: "ProductName": [ { "exists": true|false } ]', () => {
    expect(field([{ exists: true }], 'x')).toBe(true);
    expect(field([{ exists: true }], null)).toBe(true);
    expect(field([{ exists: true }], undefined)).toBe(false);
    expect(field([{ exists: false }], undefined)).toBe(true);
    expect(field([{ exists: false }], 'x')).toBe(false);
  });

  it('Begins with: "Region": [ {"prefix": "us-" } ]', () => {
    expect(field([{ prefix: 'us-' }], 'us-east-1')).toBe(true);
    expect(field([{ prefix: 'us-' }], 'eu-west-1')).toBe(false);
    expect(field([{ prefix: '1' }], 123)).toBe(false);
  });

  it('Ends with: "FileName": [ { "suffix": ".png" } ]', () => {
    expect(field([{ suffix: '.png' }], 'photo.png')).toBe(true);
    expect(field([{ suffix: '.png' }], 'photo.PNG')).toBe(false);
  });
});

describe('EventBridge operators Lambda accepts (EB, ER)', () => {
  it('prefix / suffix with equals-ignore-case', () => {
    expect(field([{ prefix: { 'equals-ignore-case': 'EventB' } }], 'eventbridge')).toBe(true);
    expect(field([{ prefix: { 'equals-ignore-case': 'EventB' } }], 'xeventb')).toBe(false);
    expect(field([{ suffix: { 'equals-ignore-case': '.png' } }], 'A.PNG')).toBe(true);
    expect(field([{ suffix: { 'equals-ignore-case': '.png' } }], 'A.PNGX')).toBe(false);
  });

  it('wildcard: "Simple*Service", "*" matches any run of characters including none', () => {
    expect(field([{ wildcard: 'Simple*Service' }], 'SimpleQueueService')).toBe(true);
    expect(field([{ wildcard: 'Simple*Service' }], 'SimpleService')).toBe(true);
    expect(field([{ wildcard: 'Simple*Service' }], 'SimpleQueueServices')).toBe(false);
    expect(field([{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }], 'arn:aws:events:us-east-1:123456789012:event-bus/default')).toBe(true);
    expect(field([{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }], 'arn:aws:events:us-west-2:123456789012:event-bus/default')).toBe(false);
    expect(field([{ wildcard: '*' }], '')).toBe(true);
    expect(field([{ wildcard: '*' }], 5)).toBe(false);
  });

  it('wildcard escapes: \\* is a literal asterisk, \\\\ a literal backslash (ER)', () => {
    expect(field([{ wildcard: 'a\\*b' }], 'a*b')).toBe(true);
    expect(field([{ wildcard: 'a\\*b' }], 'axb')).toBe(false);
    expect(field([{ wildcard: 'a\\\\*' }], 'a\\anything')).toBe(true);
    expect(field([{ wildcard: 'a\\\\*' }], 'ab')).toBe(false);
  });

  it('anything-but: single string, single number, string list, number list', () => {
    expect(field([{ 'anything-but': 'initializing' }], 'running')).toBe(true);
    expect(field([{ 'anything-but': 'initializing' }], 'initializing')).toBe(false);
    expect(field([{ 'anything-but': 123 }], 124)).toBe(true);
    expect(field([{ 'anything-but': 123 }], 123)).toBe(false);
    expect(field([{ 'anything-but': ['stopped', 'overloaded'] }], 'overloaded')).toBe(false);
    expect(field([{ 'anything-but': ['stopped', 'overloaded'] }], 'running')).toBe(true);
    expect(field([{ 'anything-but': [100, 200, 300] }], 200)).toBe(false);
    expect(field([{ 'anything-but': [100, 200, 300] }], 250)).toBe(true);
  });

  it('anything-but prefix / suffix, single and list', () => {
    expect(field([{ 'anything-but': { prefix: 'init' } }], 'initializing')).toBe(false);
    expect(field([{ 'anything-but': { prefix: 'init' } }], 'running')).toBe(true);
    expect(field([{ 'anything-but': { prefix: ['init', 'error'] } }], 'error-42')).toBe(false);
    expect(field([{ 'anything-but': { prefix: ['init', 'error'] } }], 'running')).toBe(true);
    expect(field([{ 'anything-but': { suffix: '1234' } }], 'i-01234')).toBe(false);
    expect(field([{ 'anything-but': { suffix: ['1234', '6789'] } }], 'i-06789')).toBe(false);
    expect(field([{ 'anything-but': { suffix: ['1234', '6789'] } }], 'i-00000')).toBe(true);
  });

  it('anything-but equals-ignore-case, single and list', () => {
    expect(field([{ 'anything-but': { 'equals-ignore-case': 'Stopped' } }], 'STOPPED')).toBe(false);
    expect(field([{ 'anything-but': { 'equals-ignore-case': 'Stopped' } }], 'running')).toBe(true);
    expect(field([{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }], 'overloaded')).toBe(false);
  });

  it('anything-but wildcard, single and list: "FilePath": [{ "anything-but": { "wildcard": "*/lib/*" }}]', () => {
    expect(field([{ 'anything-but': { wildcard: '*/lib/*' } }], '/usr/lib/x.so')).toBe(false);
    expect(field([{ 'anything-but': { wildcard: '*/lib/*' } }], '/usr/bin/x')).toBe(true);
    const list = [{ 'anything-but': { wildcard: ['*/bin/*.jar', '*/bin/*.class'] } }];
    expect(field(list, '/opt/bin/a.class')).toBe(false);
    expect(field(list, '/opt/bin/a.py')).toBe(true);
  });

  it('anything-but applies to any present leaf; its string forms never exclude a non-string (ER)', () => {
    expect(field([{ 'anything-but': 'x' }], 5)).toBe(true);
    expect(field([{ 'anything-but': 5 }], '5')).toBe(true);
    expect(field([{ 'anything-but': { prefix: 'init' } }], 42)).toBe(true);
    expect(field([{ 'anything-but': ['a', 'b'] }], ['a', 'c'])).toBe(true);
    expect(field([{ 'anything-but': ['a', 'b'] }], ['a', 'b'])).toBe(false);
  });

  it('wildcard: an escaped asterisk next to a wildcard is not "consecutive", and matching stays linear', () => {
    expect(field([{ wildcard: 'a\\**' }], 'a*tail')).toBe(true);
    expect(field([{ wildcard: 'a\\**' }], 'abc')).toBe(false);
    const started = Date.now();
    expect(field([{ wildcard: '*a*a*a*a*a*b' }], 'a'.repeat(50_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('numeric: one-sided and several ranges in one field are ORed', () => {
    expect(field([{ numeric: ['<', 10] }], 9.999999)).toBe(true);
    expect(field([{ numeric: ['<', 10] }], 10)).toBe(false);
    expect(field([{ numeric: ['>=', -5e9] }], -5e9)).toBe(true);
    const ranges = [{ numeric: ['>', 0, '<', 10] }, { numeric: ['>=', 100] }];
    expect(field(ranges, 5)).toBe(true);
    expect(field(ranges, 100)).toBe(true);
    expect(field(ranges, 50)).toBe(false);
  });

  it('cidr: IPv4 "10.0.0.0/24" and IPv6', () => {
    expect(field([{ cidr: '10.0.0.0/24' }], '10.0.0.255')).toBe(true);
    expect(field([{ cidr: '10.0.0.0/24' }], '10.0.1.0')).toBe(false);
    expect(field([{ cidr: '10.0.0.0/24' }], 'not an ip')).toBe(false);
    expect(field([{ cidr: '2001:db8::/32' }], '2001:db8:ffff::1')).toBe(true);
    expect(field([{ cidr: '2001:db8::/32' }], '2001:db9::1')).toBe(false);
    expect(field([{ cidr: '2001:db8::/32' }], '10.0.0.1')).toBe(false);
    expect(field([{ cidr: '::ffff:0:0/96' }], '::ffff:10.1.2.3')).toBe(true);
  });

  it('an exact IP literal matches the same address however it is written (ER)', () => {
    expect(field(['2001:db8::1'], '2001:0db8:0:0:0:0:0:1')).toBe(true);
    expect(field(['2001:db8::1'], '2001:db8::2')).toBe(false);
  });
});

describe('structure: nesting, arrays, $or, SQS bodies', () => {
  it('LS examples: RequestCode "BBBB", RecordNumber > 9999', () => {
    expect(bodyMatches({ RequestCode: ['BBBB'] }, { RecordNumber: 1234, RequestCode: 'BBBB' })).toBe(true);
    expect(bodyMatches({ RequestCode: ['BBBB'] }, { RecordNumber: 1234, RequestCode: 'AAAA' })).toBe(false);
    expect(bodyMatches({ RecordNumber: [{ numeric: ['>', 9999] }] }, { RecordNumber: 10000 })).toBe(true);
    expect(bodyMatches({ RecordNumber: [{ numeric: ['>', 9999] }] }, { RecordNumber: 1234 })).toBe(false);
  });

  it('a value array in the event matches when any element matches (EB arrays)', () => {
    expect(field(['b'], ['a', 'b'])).toBe(true);
    expect(field(['c'], ['a', 'b'])).toBe(false);
    expect(field([{ numeric: ['>', 5] }], [1, 9])).toBe(true);
  });

  it('nested objects and arrays of objects', () => {
    const p = { order: { item: { sku: [{ prefix: 'A-' }] } } };
    expect(bodyMatches(p, { order: { item: { sku: 'A-1' } } })).toBe(true);
    expect(bodyMatches(p, { order: { item: [{ sku: 'B-1' }, { sku: 'A-2' }] } })).toBe(true);
    expect(bodyMatches(p, { order: { item: [{ sku: 'B-1' }] } })).toBe(false);
    expect(bodyMatches(p, { order: 'A-1' })).toBe(false);
  });

  it('exists works on leaves only: an object value is not "existing" (ER exists matching)', () => {
    expect(field([{ exists: true }], { c1: 100 })).toBe(false);
    expect(field([{ exists: false }], { c1: 100 })).toBe(true);
    expect(field([{ exists: false }], [])).toBe(true);
    expect(field([{ exists: true }], [])).toBe(false);
    expect(bodyMatches({ a: { b: [{ exists: false }] } }, {})).toBe(true);
    expect(bodyMatches({ a: { b: [{ exists: false }] } }, { a: { b: 1 } })).toBe(false);
  });

  it('$or nested inside a field, combined with other keys', () => {
    const p = { source: ['app'], detail: { $or: [{ c: [{ numeric: ['>', 0, '<=', 5] }] }, { d: [{ numeric: ['<', 10] }] }] } };
    expect(bodyMatches(p, { source: 'app', detail: { c: 3 } })).toBe(true);
    expect(bodyMatches(p, { source: 'app', detail: { c: 7, d: 2 } })).toBe(true);
    expect(bodyMatches(p, { source: 'app', detail: { c: 7, d: 20 } })).toBe(false);
    expect(bodyMatches(p, { source: 'other', detail: { c: 3 } })).toBe(false);
  });

  it('exists: false inside $or accepts a missing field (EB: combine exists with $or)', () => {
    const p = { $or: [{ a: [{ exists: false }] }, { a: ['x'] }] };
    expect(bodyMatches(p, {})).toBe(true);
    expect(bodyMatches(p, { a: 'x' })).toBe(true);
    expect(bodyMatches(p, { a: 'y' })).toBe(false);
  });

  it('filters are ORed; no filters match everything', () => {
    const f = compile({ body: { k: ['a'] } }, { body: { k: ['b'] } });
    expect(f.matches({ body: '{"k":"b"}' })).toBe(true);
    expect(f.matches({ body: '{"k":"c"}' })).toBe(false);
    expect(compileFilterCriteria({ Filters: [] }).matches({ body: 'x' })).toBe(true);
    expect(compileFilterCriteria(undefined).matches({ body: 'x' })).toBe(true);
  });

  it('a plain-string body is matched only by rules on body itself (LS: JSON pattern vs plain string drops)', () => {
    expect(bodyMatches([{ prefix: 'Result: ' }], 'Result: ok')).toBe(true);
    expect(bodyMatches([{ prefix: 'Result: ' }], 'Error: no')).toBe(false);
    expect(bodyMatches(['hello'], 'hello')).toBe(true);
    expect(bodyMatches({ k: ['a'] }, 'not json')).toBe(false);
    expect(bodyMatches({ k: [{ exists: false }] }, 'not json')).toBe(false);
  });

  it('a JSON body is not matched by rules on body as a string (LS: plain-string pattern vs JSON drops)', () => {
    expect(bodyMatches([{ prefix: '{' }], { k: 'a' })).toBe(false);
    expect(bodyMatches([{ 'anything-but': 'x' }], { k: 'a' })).toBe(false);
    expect(bodyMatches([{ exists: true }], { k: 'a' })).toBe(false);
  });
});

describe('patterns that cannot be applied throw, naming the filter and the operator', () => {
  const throwsFor = (pattern: unknown, message: RegExp, index = 1) => {
    const filters = [...Array.from({ length: index - 1 }, () => ({ body: { ok: ['y'] } })), pattern];
    expect(() => compile(...filters)).toThrow(message);
  };

  it('not JSON, not an object, empty, too long (API_Filter: Pattern ≤ 4096 characters)', () => {
    throwsFor('{"body": ', /Filter 1: .*not valid JSON/);
    throwsFor('[1]', /Filter 1: .*JSON object/);
    throwsFor({}, /Filter 1: .*empty/i);
    throwsFor({ body: { k: ['x'.repeat(5000)] } }, /Filter 1: .*4096/);
  });

  it('unknown operators (a typo, or one sqsflare does not implement)', () => {
    throwsFor({ body: { k: [{ 'prefix-typo': 'a' }] } }, /Filter 1: body\.k: .*prefix-typo/);
    throwsFor({ body: { k: [{ regex: 'a.*' }] } }, /Filter 2: body\.k: .*regex/, 2);
    throwsFor({ body: { k: [{ 'anything-but': { contains: 'a' } }] } }, /Filter 1: body\.k: .*anything-but.*contains/);
    throwsFor({ body: { k: [{ prefix: { 'not-a-thing': 'a' } }] } }, /Filter 1: body\.k: .*prefix.*not-a-thing/);
  });

  it('structure: leaf not an array, empty array, two operators in one object, nested arrays', () => {
    throwsFor({ body: { k: 'a' } }, /Filter 1: body\.k: .*object or an array/);
    throwsFor({ body: { k: [] } }, /Filter 1: body\.k: .*empty/i);
    throwsFor({ body: { k: [{ prefix: 'a', suffix: 'b' }] } }, /Filter 1: body\.k: .*one operator/);
    throwsFor({ body: { k: [['a']] } }, /Filter 1: body\.k: .*match value/);
  });

  it('$or must be a list of objects; operator names cannot be fields inside it', () => {
    throwsFor({ body: { $or: {} } }, /Filter 1: body\.\$or: /);
    throwsFor({ body: { $or: [] } }, /Filter 1: body\.\$or: /);
    throwsFor({ body: { $or: [{ a: ['x'] }, 'b'] } }, /Filter 1: body\.\$or: /);
    throwsFor({ body: { $or: [{ numeric: [1] }, { prefix: ['a'] }] } }, /Filter 1: body\.\$or.*numeric/);
  });

  it('wrong operand types', () => {
    throwsFor({ body: { k: [{ prefix: 1 }] } }, /Filter 1: body\.k: prefix/);
    throwsFor({ body: { k: [{ suffix: ['a'] }] } }, /Filter 1: body\.k: suffix/);
    throwsFor({ body: { k: [{ 'equals-ignore-case': 5 }] } }, /Filter 1: body\.k: equals-ignore-case/);
    throwsFor({ body: { k: [{ exists: 'yes' }] } }, /Filter 1: body\.k: exists/);
    throwsFor({ body: { k: [{ wildcard: 5 }] } }, /Filter 1: body\.k: wildcard/);
    throwsFor({ body: { k: [{ 'anything-but': true }] } }, /Filter 1: body\.k: anything-but/);
    throwsFor({ body: { k: [{ 'anything-but': ['a', 1] }] } }, /Filter 1: body\.k: anything-but/);
    throwsFor({ body: { k: [{ 'anything-but': { prefix: '' } }] } }, /Filter 1: body\.k: anything-but/);
  });

  it('malformed numeric expressions', () => {
    throwsFor({ body: { k: [{ numeric: '>' }] } }, /numeric/);
    throwsFor({ body: { k: [{ numeric: ['>', '5'] }] } }, /Filter 1: body\.k: numeric/);
    throwsFor({ body: { k: [{ numeric: ['!=', 5] }] } }, /Filter 1: body\.k: numeric.*!=/);
    throwsFor({ body: { k: [{ numeric: ['<', 5, '>', 1] }] } }, /Filter 1: body\.k: numeric/);
    throwsFor({ body: { k: [{ numeric: ['>', 5, '<', 1] }] } }, /Filter 1: body\.k: numeric.*less than/);
    throwsFor({ body: { k: [{ numeric: ['>', 1, '<', 5, '<', 9] }] } }, /Filter 1: body\.k: numeric/);
    throwsFor({ body: { k: [{ numeric: ['=', 1, '<', 5] }] } }, /Filter 1: body\.k: numeric/);
  });

  it('malformed wildcards and CIDRs', () => {
    throwsFor({ body: { k: [{ wildcard: 'a**b' }] } }, /Filter 1: body\.k: wildcard.*[Cc]onsecutive/);
    throwsFor({ body: { k: [{ wildcard: 'a\\b' }] } }, /Filter 1: body\.k: wildcard.*escape/);
    throwsFor({ body: { k: [{ cidr: '10.0.0.0' }] } }, /Filter 1: body\.k: cidr/);
    throwsFor({ body: { k: [{ cidr: '10.0.0.0/33' }] } }, /Filter 1: body\.k: cidr/);
    throwsFor({ body: { k: [{ cidr: '300.0.0.0/8' }] } }, /Filter 1: body\.k: cidr/);
    throwsFor({ body: { k: [{ cidr: 'fe80::zz/64' }] } }, /Filter 1: body\.k: cidr/);
  });

  it('a filter without a Pattern string cannot be applied', () => {
    expect(() => compileFilterCriteria({ Filters: [{}] })).toThrow(/Filter 1: Pattern must be a string/);
  });

  it('filterCriteriaError reports the error instead of throwing, null when every filter applies', async () => {
    const { filterCriteriaError } = await import('../../src/delivery/filter');
    expect(filterCriteriaError({ Filters: [{ Pattern: '{"body":{"k":["a"]}}' }] })).toBeNull();
    expect(filterCriteriaError(undefined)).toBeNull();
    expect(filterCriteriaError({ Filters: [{ Pattern: '{"body":{"k":[{"wildcard":"a**"}]}}' }] })?.message).toMatch(
      /^Filter 1: body\.k: wildcard: consecutive wildcard characters/,
    );
  });

  it('the error carries the filter index, path and operator for the engine and the dashboard', async () => {
    const { FilterPatternError } = await import('../../src/delivery/filter');
    try {
      compile({ body: { ok: ['y'] } }, { body: { ip: [{ cidr: 'x' }] } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FilterPatternError);
      expect(error).toMatchObject({ filter: 2, path: 'body.ip', operator: 'cidr' });
    }
  });
});
