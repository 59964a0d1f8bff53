// Stands in for @platformatic/kafka in ThreadedProducer's thread (threaded-producer.spec.ts): its real
// serializers and partitioner, no network. send() answers where each message went in a 6-partition topic,
// and a message keyed `exit` stops the thread the way a crash would.
export { compatibilityPartitioner, stringSerializers } from '@platformatic/kafka';

export class Producer {
  constructor(options) {
    this.options = options;
  }

  async connectToBrokers() {
    return new Map();
  }

  async send({ messages }) {
    if (messages.some((message) => message.key === 'exit')) process.exit(3);
    const { serializers, partitioner } = this.options;
    return messages.map((message) => ({
      topic: message.topic,
      key: message.key,
      value: message.value,
      headers: message.headers,
      partition: partitioner(message, serializers.key(message.key)) % 6,
    }));
  }

  async close() {
    return undefined;
  }
}
