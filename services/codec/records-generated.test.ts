import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { outputFile, readReleasedSchemas, readSchemas, renderTypes } from '../../scripts/gen-types.mjs';

describe('records.generated.ts', () => {
  it('is what `npm run gen:types` writes from schemas/ (run it after changing a schema)', () => {
    const expected = (renderTypes as (s: unknown, r: unknown) => string)((readSchemas as () => unknown)(), (readReleasedSchemas as () => unknown)());
    expect(readFileSync(outputFile, 'utf8')).toBe(expected);
  });
});
