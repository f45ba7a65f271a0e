/**
 * Issue 11, point 7: every error sqsflare answers with the code and HTTP status of the SQS service model that ships
 * inside @aws-sdk/client-sqs (each error shape's `awsQueryError` trait: [query code, status]; shapes without the
 * trait are 400 with their own name), and the common errors with the status the SQS API Reference lists
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html).
 */
import * as model from '@aws-sdk/client-sqs/dist-es/schemas/schemas_0.js';
import { describe, expect, it } from 'vitest';
import { ERROR_TABLE } from '../../src/shared/errors';

type ErrorSchema = [number, string, string, { awsQueryError?: [string, number]; httpError?: number }];

const modelled = new Map<string, [string, number]>();
for (const value of Object.values(model as Record<string, unknown>)) {
  // An error schema is [-3, namespace, name, traits, …].
  if (!Array.isArray(value) || value[0] !== -3) continue;
  const [, , name, traits] = value as ErrorSchema;
  if (name === 'SQSServiceException') continue;
  modelled.set(name, traits.awsQueryError ?? [name, traits.httpError ?? 400]);
}

/** Common errors: status from the API Reference; the ones it does not list are noted in README "Deviations". */
const COMMON: Record<string, number> = {
  InvalidParameterValue: 400,
  MissingParameter: 400,
  InvalidAction: 400,
  InvalidQueryParameter: 400,
  IncompleteSignature: 400,
  RequestExpired: 400,
  InvalidClientTokenId: 403,
  MissingAuthenticationToken: 403,
};

describe('the error table', () => {
  it('reads the service model', () => {
    expect(modelled.get('QueueDoesNotExist')).toEqual(['AWS.SimpleQueueService.NonExistentQueue', 400]);
    expect(modelled.size).toBeGreaterThan(20);
  });

  it('answers each modelled error with the model’s query code and status', () => {
    for (const [code, [queryCode, status]] of Object.entries(ERROR_TABLE)) {
      const expected = modelled.get(code);
      if (expected) expect([code, queryCode, status]).toEqual([code, ...expected]);
    }
  });

  it('answers the common errors with the status the API Reference lists', () => {
    for (const [code, status] of Object.entries(COMMON)) expect([code, ERROR_TABLE[code as keyof typeof ERROR_TABLE]?.[1]]).toEqual([code, status]);
  });
});
