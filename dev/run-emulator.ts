/**
 * `tsx dev/run-emulator.ts`: the local Lambda API for `npm run dev`, serving the functions in examples/functions.ts and
 * the API Gateway HTTP and REST APIs in front of them (the Worker reaches both on this one port).
 *
 * Environment: LAMBDA_EMULATOR_PORT (9001), AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (lambda-local /
 * lambda-local-secret): the credentials the worker must sign with.
 */
import { ACCOUNT_ID, functions, httpApis, mappings, REGION, restApis } from '../examples/functions';
import { startLambdaEmulator } from './lambda-emulator';

const emulator = await startLambdaEmulator({
  port: Number(process.env.LAMBDA_EMULATOR_PORT ?? 9001),
  region: REGION,
  accountId: ACCOUNT_ID,
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'lambda-local',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'lambda-local-secret',
  },
  functions,
  mappings,
  httpApis,
  restApis,
  log: (line) => console.log(line),
});
console.log(`[lambda] emulator listening on ${emulator.url} with ${functions.map((fn) => fn.name).join(', ')}`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await emulator.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
