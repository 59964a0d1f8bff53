// Load source of the usage-ingest benchmark (run.mjs starts it): the same usage events as the guard's publisher
// and run.mjs's own producer (one JSON message per event, key id as message key), sent by Kafka's Java client,
// which costs a few µs of CPU per event where kafkajs costs 25-40 µs, so the load source is not what limits an
// end-to-end run on a 2-core machine. Source-file mode, no build: java -cp '<kafka libs>/*' LoadProducer.java
//
//   args: brokers topic runId keys routes firstSequence
//   stdin: "backlog <count> <occurredAtIso>"  — send count events as fast as the client goes, then report
//          "paced <rate> <seconds>"          — rate events/s for seconds (occurred_at = send time), then report
//          "quit"
//   stdout: "ready", then one JSON line per command: sent, acked, failed, seconds, cpu_ms.
// Idempotent producer (acks=all, enable.idempotence): a retried send is never appended twice, so the topic holds
// each event once and the exactness check can compare the aggregates with the topic's message count.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class LoadProducer {
  private static final String[] SERVICES = {"cadip", "auxip", "catalog"};
  private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final long TICK_MS = 10;

  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final String runId;
  private final int keys;
  private final int routes;
  private long sequence;
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile String firstError;
  private final Callback callback = (metadata, error) -> {
    if (error == null) acked.incrementAndGet();
    else {
      failed.incrementAndGet();
      if (firstError == null) firstError = error.toString();
    }
  };

  LoadProducer(String brokers, String topic, String runId, int keys, int routes, long firstSequence) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "usage-ingest-load");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(64L * 1024 * 1024));
    // kafkajs (the worker) decodes uncompressed and gzip batches only.
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.topic = topic;
    this.runId = runId;
    this.keys = keys;
    this.routes = routes;
    this.sequence = firstSequence;
  }

  /** The same event, for the same sequence number, as run.mjs's benchMessages. */
  private void sendOne(String occurredAt) {
    sequence++;
    int key = (int) (sequence % keys);
    int routeIndex = (int) (sequence % routes);
    String service = SERVICES[(key + routeIndex) % SERVICES.length];
    String keyId = "bench-key-" + key;
    String value = "{\"event_id\":\"" + runId + "-j" + sequence + "\",\"type\":\"key.usage\",\"version\":1,\"occurred_at\":\"" + occurredAt
        + "\",\"key_id\":\"" + keyId + "\",\"user_id\":\"user-" + keyId + "\",\"service\":\"" + service + "\",\"method\":\"GET\",\"route\":\"/"
        + service + "/:station/route-" + routeIndex + "\",\"status\":" + (sequence % 50 == 0 ? 503 : 200) + ",\"latency_ms\":" + (sequence % 97) + "}";
    producer.send(new ProducerRecord<>(topic, keyId, value.getBytes(StandardCharsets.UTF_8)), callback);
  }

  private static String isoMillis(long epochMs) {
    return ISO_MILLIS.format(Instant.ofEpochMilli(epochMs));
  }

  /** Counts of this command only (acked and failed are cumulative over the process). */
  private String report(long sent, long startNanos, long startCpu, long ackedBefore, long failedBefore) {
    producer.flush();
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    long cpuMs = (processCpuNanos() - startCpu) / 1_000_000;
    String error = firstError == null ? "null" : "\"" + firstError.replace("\\", "\\\\").replace("\"", "'") + "\"";
    return "{\"sent\":" + sent + ",\"acked\":" + (acked.get() - ackedBefore) + ",\"failed\":" + (failed.get() - failedBefore) + ",\"seconds\":" + seconds + ",\"cpu_ms\":" + cpuMs
        + ",\"first_error\":" + error + "}";
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  String backlog(long count, String occurredAt) {
    long startNanos = System.nanoTime();
    long startCpu = processCpuNanos();
    long ackedBefore = acked.get();
    long failedBefore = failed.get();
    for (long sent = 0; sent < count; sent++) sendOne(occurredAt);
    return report(count, startNanos, startCpu, ackedBefore, failedBefore);
  }

  /** Paced: every tick sends what is due; a send blocked by a full buffer makes it fall behind (reported), not queue. */
  String paced(long rate, double seconds) throws InterruptedException {
    long startNanos = System.nanoTime();
    long startCpu = processCpuNanos();
    long ackedBefore = acked.get();
    long failedBefore = failed.get();
    long startMs = System.currentTimeMillis();
    long endMs = startMs + (long) (seconds * 1000);
    long sent = 0;
    for (long tick = 1; ; tick++) {
      long now = System.currentTimeMillis();
      if (now >= endMs) break;
      long due = Math.min(rate, (long) ((now - startMs) / 1000.0 * rate) - sent);
      String occurredAt = isoMillis(now);
      for (long index = 0; index < due; index++) sendOne(occurredAt);
      if (due > 0) sent += due;
      long next = startMs + tick * TICK_MS;
      long wait = next - System.currentTimeMillis();
      if (wait > 0) Thread.sleep(wait);
    }
    return report(sent, startNanos, startCpu, ackedBefore, failedBefore);
  }

  public static void main(String[] args) throws Exception {
    LoadProducer load = new LoadProducer(args[0], args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), Long.parseLong(args[5]));
    // Metadata (partitions, leader) before the first measured send.
    load.producer.partitionsFor(load.topic);
    System.out.println("ready");
    System.out.flush();
    BufferedReader input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = input.readLine()) != null; ) {
      String[] command = line.trim().split("\\s+");
      if (command[0].equals("backlog")) System.out.println(load.backlog(Long.parseLong(command[1]), command[2]));
      else if (command[0].equals("paced")) System.out.println(load.paced(Long.parseLong(command[1]), Double.parseDouble(command[2])));
      else break;
      System.out.flush();
    }
    load.producer.close();
  }
}
