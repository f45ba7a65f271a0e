// The current AWS SDK v3 speaks JSON 1.0; set `endpoint` explicitly: since 3.507 the SDK would otherwise send to the
// QueueUrl's host. Or set AWS_ENDPOINT_URL_SQS in the environment and leave the code untouched.
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

const sqs = new SQSClient({ region: 'us-east-1', endpoint: process.env.SQSFLARE_ENDPOINT });

export async function sendWorld(queueUrl: string) {
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'w', MessageBody: 'world', DelaySeconds: 10 }] }));
}
