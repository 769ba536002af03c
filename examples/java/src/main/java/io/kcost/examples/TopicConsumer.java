package io.kcost.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Reads kcost topics from the beginning to their end and prints each record as a
 * JSON line: topic, partition, offset, key, the partition the Java client's default
 * partitioner gives the key, the schema's full name and the decoded value.
 *
 * <pre>java -cp target/classes:$(cat target/classpath.txt) io.kcost.examples.TopicConsumer \
 *   --brokers 127.0.0.1:9092 --schemas ../../schemas kcost.costs.v1 kcost.node-costs.v1</pre>
 */
public final class TopicConsumer {
  public static void main(String[] args) throws IOException {
    String brokers = "127.0.0.1:9092";
    Path schemas = Path.of("schemas");
    List<String> topics = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--brokers" -> brokers = args[++i];
        case "--schemas" -> schemas = Path.of(args[++i]);
        default -> topics.add(args[i]);
      }
    }
    if (topics.isEmpty()) {
      System.err.println("usage: TopicConsumer [--brokers host:port] [--schemas dir] topic...");
      System.exit(2);
    }
    SingleObjectDecoder decoder = new SingleObjectDecoder(schemas);

    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    // kcost writes its outputs in Kafka transactions: read only what was committed.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions = new ArrayList<>();
      Map<String, Integer> partitionCounts = new java.util.HashMap<>();
      for (String topic : topics) {
        var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) throw new IllegalArgumentException("no topic " + topic);
        partitionCounts.put(topic, infos.size());
        infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // With read_committed these are the last stable offsets: the end of what was committed.
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          StringBuilder line = new StringBuilder("{\"topic\":");
          Json.string(line, record.topic());
          line.append(",\"partition\":").append(record.partition());
          line.append(",\"offset\":").append(record.offset());
          line.append(",\"key\":");
          if (record.key() == null) {
            line.append("null,\"keyPartition\":null");
          } else {
            Json.string(line, new String(record.key(), StandardCharsets.UTF_8));
            line.append(",\"keyPartition\":").append(Utils.toPositive(Utils.murmur2(record.key())) % partitionCounts.get(record.topic()));
          }
          try {
            SingleObjectDecoder.Decoded decoded = decoder.decode(record.value() == null ? new byte[0] : record.value());
            line.append(",\"schema\":");
            Json.string(line, decoded.schema());
            line.append(",\"value\":").append(Json.of(decoded.value()));
          } catch (IOException | RuntimeException e) {
            // Bad input never stops a stream: say which record and why, and go on.
            line.append(",\"error\":");
            Json.string(line, String.valueOf(e.getMessage()));
          }
          out.println(line.append('}'));
        }
      }
    }
    out.flush();
  }
}
