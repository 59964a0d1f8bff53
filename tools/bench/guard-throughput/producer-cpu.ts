// CPU per usage event through the guard's producer thread (ThreadedProducer) to the real Kafka at
// 127.0.0.1:9092: 100 batches of 1000 events of the guard's size (~300 B of JSON, keyed by key id). Since
// session 5 the thread builds the events from the requests' raw fields: what is handed over is those fields
// (an older checkout's thread gets the JSON messages it expects).
//   SWC_NODE_PROJECT=tools/bench/guard-throughput/tsconfig.json node -r @swc-node/register tools/bench/guard-throughput/producer-cpu.ts [distinctKeys]
// distinctKeys (default 20): how many key ids the events share. PRODUCER_ROOT=<dir>: measure the
// ThreadedProducer of another checkout (e.g. `git archive <commit> | tar -x -C <dir>` and a node_modules link).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = process.env['PRODUCER_ROOT'] ?? path.resolve(__dirname, '../../..');
const distinctKeys = Number(process.argv[2] ?? 20);
const BATCHES = 100;
const BATCH_SIZE = 1000;

/** CPU µs used so far by the main thread alone (from /proc/self/task, clock ticks of 10 ms). */
function mainThreadCpuUs(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function main(): Promise<void> {
  const { ThreadedProducer } = require(path.join(root, 'libs/auth-guard/src/lib/events/threaded-producer'));
  const brokers = ['127.0.0.1:9092'];
  // Every constructor shape: before @platformatic/kafka the thread took kafkajs client and producer settings.
  const producer = new ThreadedProducer({
    clientId: 'bench',
    brokers,
    service: 'cadip',
    client: { clientId: 'bench', brokers },
    producer: { allowAutoTopicCreation: true },
  });
  // send(topic, fields) since session 5, send({ topic, messages }) before.
  const rawFields = producer.send.length === 2;
  await producer.connect();
  const keys = Array.from({ length: distinctKeys }, () => randomUUID());
  const userId = randomUUID();
  let sent = 0;
  const batch = () => {
    const fields: unknown[] = [];
    const messages: { key: string; value: string }[] = [];
    for (let i = 0; i < BATCH_SIZE; i++) {
      const key = keys[sent++ % distinctKeys];
      if (rawFields) {
        fields.push(key, userId, 'GET', '/cadip/:station/cadu/:id', 200, 1.2341, Date.now(), undefined, randomUUID());
      } else {
        const event = {
          event_id: randomUUID(),
          type: 'key.usage',
          version: 1,
          occurred_at: new Date().toISOString(),
          key_id: key,
          user_id: userId,
          service: 'cadip',
          method: 'GET',
          route: '/cadip/:station/cadu/:id',
          status: 200,
          latency_ms: 1.234,
        };
        messages.push({ key, value: JSON.stringify(event) });
      }
    }
    return rawFields ? fields : messages;
  };
  const send = (events: unknown[]) =>
    rawFields
      ? producer.send('bench.producer-cpu', events)
      : producer.send({ topic: 'bench.producer-cpu', messages: events });
  for (let i = 0; i < 20; i++) await send(batch());
  const batches = Array.from({ length: BATCHES }, batch);
  const cpuBefore = process.cpuUsage();
  const mainBefore = mainThreadCpuUs();
  const started = performance.now();
  for (const events of batches) await send(events);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const events = BATCHES * BATCH_SIZE;
  const perEvent = (us: number) => Math.round((us / events) * 10) / 10;
  console.log(
    JSON.stringify({
      producer_root: root,
      distinct_keys: distinctKeys,
      events,
      process_cpu_us_per_event: perEvent(cpu.user + cpu.system),
      main_thread_cpu_us_per_event: perEvent(mainThreadCpuUs() - mainBefore),
      events_per_second: Math.round(events / seconds),
    }),
  );
  await producer.disconnect();
}

void main();
