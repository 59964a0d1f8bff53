// Smoke check: a BullMQ job round trip and a job scheduler on the local Redis.
// Needs bullmq (+ ioredis for bullmq 6). Usage: node tools/stack/checks/redis.mjs
import { Queue, QueueEvents, Worker } from 'bullmq';

const connection = { host: '127.0.0.1', port: Number(process.env.REDIS_PORT || 6379) };
const name = `stack-check-${Date.now()}`;
const queue = new Queue(name, { connection });
const events = new QueueEvents(name, { connection });
await events.waitUntilReady();
const worker = new Worker(name, async (job) => ({ doubled: job.data.x * 2 }), { connection });
try {
  const job = await queue.add('double', { x: 21 });
  const result = await job.waitUntilFinished(events, 15000);
  if (result?.doubled !== 42) throw new Error(`redis check failed: job result ${JSON.stringify(result)}`);
  await queue.upsertJobScheduler('stack-check', { every: 60000 }, { name: 'tick', data: {} });
  if ((await queue.getJobSchedulers()).length !== 1) throw new Error('redis check failed: job scheduler');
  console.log('redis: BullMQ job round trip and job scheduler ok');
} finally {
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await events.close();
}
console.log('REDIS OK');
