// The SQS service model inside the SDK, untyped at this path (test/shared/errors.test.ts reads its error traits).
declare module '@aws-sdk/client-sqs/dist-es/schemas/schemas_0.js';
