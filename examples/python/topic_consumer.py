#!/usr/bin/env python3
"""Read kcost topics from the beginning to their end; print each record as a JSON line.

    python3 topic_consumer.py --brokers 127.0.0.1:9092 --schemas ../../schemas kcost.costs.v1

Needs Apache Avro and confluent-kafka: Debian's python3-avro and
python3-confluent-kafka, or `pip install avro confluent-kafka`.
"""

import argparse
import base64
import datetime
import json
import sys

from confluent_kafka import Consumer, KafkaError, TopicPartition, OFFSET_BEGINNING

from kcost_avro import SingleObjectDecoder


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def plain(value):
    """JSON-ready: timestamp-millis (which Apache Avro for Python reads as datetime) back to epoch millis, bytes as base64."""
    if isinstance(value, datetime.datetime):
        return (value - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brokers", default="127.0.0.1:9092")
    parser.add_argument("--schemas", default="schemas")
    parser.add_argument("topics", nargs="+")
    args = parser.parse_args()
    decoder = SingleObjectDecoder(args.schemas)

    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": "kcost-example-python",
        # kcost writes its outputs in Kafka transactions: read only what was committed.
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
        # Reports the end of each partition (the last stable offset under read_committed).
        "enable.partition.eof": True,
    })
    partitions = []
    for topic in args.topics:
        metadata = consumer.list_topics(topic, timeout=30).topics[topic]
        if metadata.error is not None or not metadata.partitions:
            sys.exit(f"no topic {topic}: {metadata.error}")
        partitions += [TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(metadata.partitions)]
    consumer.assign(partitions)
    pending = {(p.topic, p.partition) for p in partitions}
    try:
        while pending:
            message = consumer.poll(1.0)
            if message is None:
                continue
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    pending.discard((message.topic(), message.partition()))
                    continue
                sys.exit(f"kafka: {message.error()}")
            key = message.key()
            line = {
                "topic": message.topic(),
                "partition": message.partition(),
                "offset": message.offset(),
                "key": None if key is None else key.decode("utf-8", errors="replace"),
            }
            try:
                schema, value = decoder.decode(message.value() or b"")
                line.update(schema=schema, value=plain(value))
            except Exception as error:  # noqa: BLE001 - a bad record must not stop the consumer
                # Bad input never stops a stream: say which record and why, and go on.
                line["error"] = str(error)
            print(json.dumps(line, allow_nan=False), flush=False)
    finally:
        consumer.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
