#!/usr/bin/env python3
"""Receive a filtered topic of the broker with a standard Kafka client (docs/subscribers.md).

Consumes <prefix>.filtered.<name> with confluent_kafka, decodes the light payload with the published schema
(schemas/broker-light-alert-v1.avsc) using the Apache Avro library, de-duplicates by the message key (the alert
id), and prints one JSON line per alert. Offsets are committed after each alert is handled, so a restart with the
same group continues after the last alert printed and never skips one.

    python3 subscribe.py --bootstrap HOST:PORT --topic broker.filtered.likely_real --schema broker-light-alert-v1.avsc

Debian: apt-get install python3-confluent-kafka python3-avro. Kafka security settings go in with -X key=value
(security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512, sasl.username=..., sasl.password=...).
"""
import argparse
import io
import json
import struct
import sys

import avro.io
import avro.schema
from confluent_kafka import Consumer, KafkaError

LIGHT_SCHEMA_ID = 1_000_000  # 1,000,000 x the annotation version; the 5-byte Confluent frame carries it


def decode_light(value, reader):
    """A light payload: magic byte 0, a big-endian schema id, then the Avro record."""
    magic, schema_id = struct.unpack(">bI", value[:5])
    if magic != 0 or schema_id != LIGHT_SCHEMA_ID:
        raise ValueError(f"not a light payload (magic {magic}, schema id {schema_id})")
    return reader.read(avro.io.BinaryDecoder(io.BytesIO(value[5:])))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True, action="append")
    parser.add_argument("--schema", required=True, help="schemas/broker-light-alert-v1.avsc")
    parser.add_argument("--group", default="my-follow-up-team")
    parser.add_argument("--from-beginning", action="store_true")
    parser.add_argument("--until-end", action="store_true", help="stop when every partition is read to its end")
    parser.add_argument("-X", action="append", default=[], help="a Kafka client property, key=value")
    args = parser.parse_args()

    with open(args.schema) as f:
        reader = avro.io.DatumReader(avro.schema.parse(f.read()))
    config = {
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "earliest" if args.from_beginning else "latest",
        "enable.auto.commit": False,
        "enable.partition.eof": args.until_end,
    }
    config.update(kv.split("=", 1) for kv in args.X)
    consumer = Consumer(config)
    consumer.subscribe(args.topic)

    seen = set()  # keys (alert ids): the broker delivers at least once, so a redelivered alert is dropped here
    ended = set()
    try:
        while True:
            message = consumer.poll(1.0)
            if message is None:
                continue
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    ended.add((message.topic(), message.partition()))
                    if args.until_end and ended >= {(p.topic, p.partition) for p in consumer.assignment()}:
                        break
                    continue
                raise SystemExit(f"kafka: {message.error()}")
            ended.discard((message.topic(), message.partition()))
            key = message.key()  # the alert id as decimal text: cheaper than decoding a repeat
            if key not in seen:
                seen.add(key)
                alert = decode_light(message.value(), reader)
                b = alert["broker"]
                print(json.dumps({
                    "survey": alert["survey"], "alert_id": alert["alert_id"], "object_id": alert["object_id"],
                    "mjd": alert["mjd"], "band": alert["band"], "mag": round(alert["mag"], 3),
                    "rb": b["rb"], "cnn": b["cnn"], "rb_combined": b["rb_combined"],
                    "novelty": b["novelty"]["score"] if b["novelty"] else None, "filters": b["filters"],
                }), flush=True)
            consumer.commit(message=message, asynchronous=False)
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    print(f"alerts={len(seen)}", file=sys.stderr)


if __name__ == "__main__":
    main()
