/**
 * Renders an action's JSON-shaped result as the query protocol's XML. Lists and maps become the
 * flattened member elements SQS uses (`<QueueUrl>` repeated, `<Attribute><Name/><Value/>`).
 */
import { XMLBuilder, type XmlBuilderOptions } from 'fast-xml-parser';

const NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

// One pass over the text; \r is kept as a character reference so XML parsers do not fold it into \n.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' };
// `entities` is supported by the builder but missing from its option types.
const builder = new XMLBuilder({
  ignoreAttributes: false,
  suppressEmptyNode: false,
  entities: [{ regex: /[&<>"'\r]/g, val: (c: string) => ESCAPES[c] }],
} as unknown as XmlBuilderOptions);

type Json = string | number | boolean | null | undefined | Json[] | { [key: string]: Json };
type Xml = string | Xml[] | { [key: string]: Xml };

const mapToMembers = (map: Record<string, Json>, keyName: string, valueName: string) =>
  Object.entries(map).map(([k, v]) => ({ [keyName]: k, [valueName]: toXml(v) }));

function messageAttributesToXml(map: Record<string, Json>): Xml[] {
  return Object.entries(map).map(([name, value]) => ({ Name: name, Value: toXml(value) }));
}

/** Element names that differ between the JSON result and the XML result. */
function convertField(key: string, value: Json, action: string): [string, Xml] | undefined {
  if (value === undefined || value === null) return undefined;
  switch (key) {
    case 'QueueUrls':
    case 'queueUrls':
      return ['QueueUrl', (value as string[]).map(String)];
    case 'Attributes':
      return ['Attribute', mapToMembers(value as Record<string, Json>, 'Name', 'Value')];
    case 'Tags':
      return ['Tag', mapToMembers(value as Record<string, Json>, 'Key', 'Value')];
    case 'MessageAttributes':
      return ['MessageAttribute', messageAttributesToXml(value as Record<string, Json>)];
    case 'Messages':
      return ['Message', (value as Json[]).map((m) => toXml(m, action))];
    case 'Successful':
      return [`${action}ResultEntry`, (value as Json[]).map((m) => toXml(m, action))];
    case 'Failed':
      return ['BatchResultErrorEntry', (value as Json[]).map((m) => toXml(m, action))];
    case 'Results':
      return [`${action}ResultEntry`, (value as Json[]).map((m) => toXml(m, action))];
    default:
      return [key, toXml(value, action)];
  }
}

function toXml(value: Json, action = ''): Xml {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => toXml(v, action));
  if (typeof value === 'object') {
    const out: Record<string, Xml> = {};
    for (const [key, v] of Object.entries(value)) {
      const converted = convertField(key, v, action);
      if (converted) out[converted[0]] = converted[1];
    }
    return out;
  }
  return String(value);
}

export function renderXmlResult(action: string, result: Record<string, unknown> | undefined, requestId: string): string {
  const response: Record<string, Xml> = { '@_xmlns': NAMESPACE };
  if (result && Object.keys(result).length > 0) response[`${action}Result`] = toXml(result as Json, action);
  response.ResponseMetadata = { RequestId: requestId };
  return '<?xml version="1.0"?>' + builder.build({ [`${action}Response`]: response });
}

export function renderXmlError(type: 'Sender' | 'Receiver', code: string, message: string, requestId: string): string {
  return (
    '<?xml version="1.0"?>' +
    builder.build({
      ErrorResponse: {
        '@_xmlns': NAMESPACE,
        Error: { Type: type, Code: code, Message: message, Detail: '' },
        RequestId: requestId,
      },
    })
  );
}
