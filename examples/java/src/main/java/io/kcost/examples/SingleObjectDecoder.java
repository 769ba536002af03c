package io.kcost.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes kcost's Avro single-object encoding with nothing but the .avsc files:
 * C3 01, the CRC-64-AVRO fingerprint of the writer schema (8 bytes, little-endian),
 * then the Avro binary body. Writer schemas are the current schemas/*.avsc and the
 * frozen versions under schemas/released/; each record is resolved to the current
 * schema of its name, so records written by an older kcost still read.
 */
public final class SingleObjectDecoder {
  /** A decoded value and the full name of its schema. */
  public record Decoded(String schema, GenericRecord value) {}

  private final Map<Long, Schema> writers = new HashMap<>();
  private final Map<String, Schema> readers = new HashMap<>();

  public SingleObjectDecoder(Path schemasDir) {
    for (Path file : avscFiles(schemasDir)) {
      // A parser per file: a released version redefines the name its current schema has.
      Schema schema = parse(file);
      writers.put(SchemaNormalization.parsingFingerprint64(schema), schema);
      if (file.getParent().equals(schemasDir)) readers.put(schema.getFullName(), schema);
    }
    if (readers.isEmpty()) throw new IllegalArgumentException("no .avsc files in " + schemasDir);
  }

  public Decoded decode(byte[] bytes) throws IOException {
    if (bytes.length < 10 || (bytes[0] & 0xff) != 0xC3 || (bytes[1] & 0xff) != 0x01) {
      throw new IOException("not Avro single-object encoding (expected C3 01, then an 8-byte fingerprint)");
    }
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    Schema writer = writers.get(fingerprint);
    if (writer == null) throw new IOException(String.format("no schema with fingerprint %016x", fingerprint));
    Schema reader = readers.getOrDefault(writer.getFullName(), writer);
    GenericDatumReader<GenericRecord> datumReader = new GenericDatumReader<>(writer, reader);
    GenericRecord value = datumReader.read(null, DecoderFactory.get().binaryDecoder(bytes, 10, bytes.length - 10, null));
    return new Decoded(reader.getFullName(), value);
  }

  private static List<Path> avscFiles(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the schemas in " + dir, e);
    }
  }

  private static Schema parse(Path file) {
    try {
      return new Schema.Parser().parse(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
