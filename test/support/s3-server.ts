import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { freePort } from './ports.js';

/** s3rver's fixed credentials, which the AWS SDK signs with. */
export const S3_TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

/**
 * A local S3-compatible server (s3rver, files under a temporary directory)
 * with one bucket, and a client that writes objects into it.
 */
export async function startS3Server(bucket: string): Promise<{ endpoint: string; put(key: string, body: Buffer): Promise<void>; close(): Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), 'kcost-s3-'));
  const port = await freePort();
  const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, configureBuckets: [{ name: bucket }] });
  await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: S3_TEST_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: S3_TEST_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
    // s3rver predates the SDK's default CRC32 checksums and their chunked upload encoding.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    async put(key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async close() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
