import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, parseSchema } from '../../services/codec/schema-catalog.js';
import { REPO } from '../deploy/repo.js';

// examples/python/kcost_avro.py computes the fingerprints a Python consumer
// matches the single-object header against. With Debian's python3-avro
// (1.11) the library's own canonical form gives wrong ones; the example's
// must give exactly kcost's, for every current and released schema.

const run = promisify(execFile);
const PYTHON = process.env.KCOST_PYTHON ?? '/usr/bin/python3';
const SCHEMAS = join(REPO, 'schemas');

const avscFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? avscFiles(join(dir, e.name)) : e.name.endsWith('.avsc') ? [join(dir, e.name)] : []));

const SCRIPT = `
import json, pathlib, sys
import avro, avro.schema
import kcost_avro
out = {"avro": getattr(avro, "__version__", ""), "schemas": {}}
for path in sys.argv[1:]:
    schema = avro.schema.parse(pathlib.Path(path).read_text(encoding="utf-8"))
    out["schemas"][path] = {
        "example": format(kcost_avro.fingerprint(schema), "016x"),
        "library": format(kcost_avro.crc64_avro(schema.canonical_form.encode("utf-8")), "016x"),
    }
print(json.dumps(out))
`;

describe('the Python example fingerprints', () => {
  it("match kcost's for every schema, where Apache Avro 1.11's own canonical form does not", async () => {
    const files = avscFiles(SCHEMAS).sort();
    const { stdout } = await run(PYTHON, ['-c', SCRIPT, ...files], { cwd: join(REPO, 'examples/python') });
    const result = JSON.parse(stdout) as { avro: string; schemas: Record<string, { example: string; library: string }> };
    // kcost's fingerprint is the little-endian CRC-64-AVRO; the examples print it as a number.
    const kcost = (file: string) => Buffer.from(fingerprintOf(parseSchema(JSON.parse(readFileSync(file, 'utf8')) as object))).reverse().toString('hex');
    const mismatches = files.filter((f) => result.schemas[f]?.example !== kcost(f)).map((f) => relative(REPO, f));
    expect(mismatches).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(14);
    if (result.avro.startsWith('1.11')) {
      // Every kcost schema has a timestamp-millis field: the library's form never matches.
      expect(files.filter((f) => result.schemas[f]?.library === kcost(f))).toEqual([]);
    }
  });
});
