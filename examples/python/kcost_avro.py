"""Decode kcost's Avro single-object encoding with only the .avsc files.

The framing is C3 01, the CRC-64-AVRO fingerprint of the writer schema's
Parsing Canonical Form (8 bytes, little-endian), then the Avro binary body.

Works around Apache Avro for Python before 1.12 (Debian's python3-avro is
1.11): its canonical form keeps a primitive with a logical type as
{"type":"long"} where the specification (and the Java library, and kcost)
reduce it to "long", so its fingerprints of kcost's schemas, which all have
timestamp-millis fields, never match. canonical_form() below fixes that up.
"""

import io
import json
import pathlib
import struct

import avro.io
import avro.schema

PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}

_EMPTY = 0xC15D213AA4D7A795
_TABLE = []
for _i in range(256):
    _fp = _i
    for _ in range(8):
        _fp = (_fp >> 1) ^ (_EMPTY & -(_fp & 1))
    _TABLE.append(_fp)


def crc64_avro(data: bytes) -> int:
    """The 64-bit Rabin fingerprint of the Avro specification."""
    fp = _EMPTY
    for byte in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ byte) & 0xFF]
    return fp


def _reduce_primitives(node):
    # [PRIMITIVES] of the spec: {"type": "long"} is written "long".
    if isinstance(node, dict):
        if set(node) == {"type"} and node["type"] in PRIMITIVES:
            return node["type"]
        return {key: _reduce_primitives(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_reduce_primitives(item) for item in node]
    return node


def canonical_form(schema: avro.schema.Schema) -> str:
    """The Parsing Canonical Form, as the Avro specification defines it."""
    fixed = _reduce_primitives(json.loads(schema.canonical_form))
    return json.dumps(fixed, separators=(",", ":"), ensure_ascii=False)


def fingerprint(schema: avro.schema.Schema) -> int:
    return crc64_avro(canonical_form(schema).encode("utf-8"))


class SingleObjectDecoder:
    """Writer schemas are schemas/*.avsc and the frozen versions in schemas/released/;
    each record is resolved to the current schema of its name."""

    def __init__(self, schemas_dir):
        root = pathlib.Path(schemas_dir)
        self.writers = {}
        self.readers = {}
        for path in sorted(root.rglob("*.avsc")):
            schema = avro.schema.parse(path.read_text(encoding="utf-8"))
            self.writers[fingerprint(schema)] = schema
            if path.parent == root:
                self.readers[schema.fullname] = schema
        if not self.readers:
            raise ValueError(f"no .avsc files in {root}")

    def decode(self, data: bytes):
        """Returns (schema full name, value as plain dicts and lists)."""
        if len(data) < 10 or data[0:2] != b"\xc3\x01":
            raise ValueError("not Avro single-object encoding (expected C3 01, then an 8-byte fingerprint)")
        (fp,) = struct.unpack("<Q", data[2:10])
        writer = self.writers.get(fp)
        if writer is None:
            raise ValueError(f"no schema with fingerprint {fp:016x}")
        reader = self.readers.get(writer.fullname, writer)
        decoder = avro.io.BinaryDecoder(io.BytesIO(data[10:]))
        return reader.fullname, avro.io.DatumReader(writer, reader).read(decoder)
