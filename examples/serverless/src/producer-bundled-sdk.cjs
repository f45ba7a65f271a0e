// Inside a Lambda function on the nodejs18.x/20.x runtimes the bundled SDK is an older v3 (query/XML protocol).
// Point it at sqsflare with `endpoint`; queue URLs in AWS form keep working (they resolve by name).
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');

const sqs = new SQSClient({
  region: 'us-east-1',
  endpoint: process.env.SQSFLARE_ENDPOINT, // e.g. https://sqsflare.example.workers.dev
  credentials: { accessKeyId: process.env.SQSFLARE_ACCESS_KEY_ID, secretAccessKey: process.env.SQSFLARE_SECRET_ACCESS_KEY },
});

exports.handler = async () => {
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: 'hello', DelaySeconds: 5 }));
};
