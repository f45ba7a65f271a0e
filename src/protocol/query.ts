/**
 * The query protocol's flat parameters (`Attribute.1.Name=…`) turned into the JSON protocol's
 * shapes, so each action is written once against one input shape.
 */
import { sqsError } from '../shared/errors';

type Tree = { [key: string]: Tree | string } | string;

const PROTOTYPE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** `A.1.B=x&A.2.B=y` → `{A: {1: {B: x}, 2: {B: y}}}` (numeric keys become lists later). */
function nest(params: URLSearchParams): Record<string, Tree> {
  // Null-prototype nodes and no prototype names: `__proto__.X=1` must not reach Object.prototype.
  const root: Record<string, Tree> = Object.create(null);
  for (const [key, value] of params) {
    const path = key.split('.');
    if (path.some((part) => PROTOTYPE_NAMES.has(part))) throw sqsError('MalformedQueryString', `Parameter ${key.slice(0, 100)} is not a valid parameter name.`);
    let node: Record<string, Tree> = root;
    for (let i = 0; i < path.length - 1; i++) {
      const part = path[i];
      const next = node[part];
      if (typeof next === 'string') {
        throw sqsError('MalformedQueryString', `Parameter ${key} conflicts with parameter ${path.slice(0, i + 1).join('.')}.`);
      }
      node = (node[part] ??= Object.create(null)) as Record<string, Tree>;
    }
    const leaf = path[path.length - 1];
    if (typeof node[leaf] === 'object') throw sqsError('MalformedQueryString', `Parameter ${key} conflicts with a nested parameter.`);
    node[leaf] = value;
  }
  return root;
}

/**
 * A member list `{1: a, 2: b}` in index order; query lists are 1-based. `Name=` with nothing after it is how the
 * query protocol writes an empty list (the SDKs send `SendMessageBatchRequestEntry=` for `Entries: []`), so the
 * action sees an empty list and answers as AWS does (EmptyBatchRequest), not MalformedQueryString.
 */
function list(tree: Tree | undefined): Tree[] {
  if (tree === undefined || tree === '') return [];
  if (typeof tree === 'string') throw sqsError('MalformedQueryString', 'Expected a list of members.');
  return Object.keys(tree)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => tree[k]);
}

function field(tree: Tree, name: string): string | undefined {
  if (typeof tree === 'string') return undefined;
  const value = tree[name];
  return typeof value === 'string' ? value : undefined;
}

function attributeValue(tree: Tree | undefined): Record<string, string> {
  if (!tree || typeof tree === 'string') return {};
  const out: Record<string, string> = {};
  for (const key of ['DataType', 'StringValue', 'BinaryValue']) {
    const v = field(tree, key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function nameValueMap(tree: Tree | undefined, nameKey: string, valueKey: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const member of list(tree)) {
    const name = field(member, nameKey);
    if (name !== undefined) out[name] = field(member, valueKey) ?? '';
  }
  return out;
}

function messageAttributeMap(tree: Tree | undefined): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const member of list(tree)) {
    const name = field(member, 'Name');
    if (name !== undefined && typeof member !== 'string') out[name] = attributeValue(member.Value);
  }
  return out;
}

const BATCH_ENTRY_KEYS = [
  'SendMessageBatchRequestEntry',
  'DeleteMessageBatchRequestEntry',
  'ChangeMessageVisibilityBatchRequestEntry',
];

/** Converts one level of query parameters to JSON-protocol names and shapes. */
function toJsonShape(tree: Record<string, Tree>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    if (key === 'Attribute') out.Attributes = nameValueMap(value, 'Name', 'Value');
    else if (key === 'Tag') out.Tags = nameValueMap(value, 'Key', 'Value');
    else if (key === 'TagKey') out.TagKeys = list(value);
    else if (key === 'AttributeName') out.AttributeNames = list(value);
    else if (key === 'MessageAttributeName') out.MessageAttributeNames = list(value);
    else if (key === 'MessageSystemAttributeName') out.MessageSystemAttributeNames = list(value);
    else if (key === 'MessageAttribute') out.MessageAttributes = messageAttributeMap(value);
    else if (key === 'MessageSystemAttribute') out.MessageSystemAttributes = messageAttributeMap(value);
    else if (BATCH_ENTRY_KEYS.includes(key)) {
      out.Entries = list(value).map((entry) => (typeof entry === 'string' ? entry : toJsonShape(entry)));
    } else out[key] = value;
  }
  return out;
}

const malformed = (message: string) => sqsError('MalformedQueryString', message);

/** One form component, strictly: `+` is a space, `%` must start two hex digits, the bytes must be UTF-8. */
function decodeComponent(text: string): string {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) throw malformed(`Invalid percent-encoding in ${text.slice(0, 100)}.`);
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw malformed(`The percent-encoded bytes of ${text.slice(0, 100)} are not UTF-8.`);
  }
}

/**
 * `application/x-www-form-urlencoded` text as parameters. URLSearchParams would keep a stray `%` and turn bytes that are
 * not UTF-8 into U+FFFD, so a message would be stored with characters the client never sent: refused instead
 * (MalformedQueryString: "The query string contains a syntax error", SQS API Reference, Common Errors).
 */
export function parseForm(text: string): URLSearchParams {
  const params = new URLSearchParams();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    params.append(decodeComponent(eq < 0 ? pair : pair.slice(0, eq)), decodeComponent(eq < 0 ? '' : pair.slice(eq + 1)));
  }
  return params;
}

export interface QueryRequest {
  action: string | undefined;
  input: Record<string, unknown>;
}

export function parseQuery(params: URLSearchParams): QueryRequest {
  // Two Actions (one in the URL, one in the body) would leave the choice to parameter order.
  if (params.getAll('Action').length > 1) throw malformed('The parameter Action must be given once.');
  const tree = nest(params);
  const action = typeof tree.Action === 'string' ? tree.Action : undefined;
  delete tree.Action;
  delete tree.Version;
  for (const key of Object.keys(tree)) if (key.startsWith('X-Amz-')) delete tree[key];
  return { action, input: toJsonShape(tree) };
}
