import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs the pure *.test.ts files next to the code with no
// I/O; `integration` runs test/ against a real Kafka broker and PostgreSQL,
// which test/setup/global-setup.ts starts (or finds through KAFKA_BROKERS and
// DATABASE_URL).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['services/**/*.test.ts', 'scripts/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/setup/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
