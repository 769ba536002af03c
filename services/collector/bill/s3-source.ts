import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { isBillingFileName } from './bill-file-reader.js';
import type { BillSource } from './bill-source.js';
import type { ListedFile } from './delivery-book.js';

export interface S3SourceOptions {
  /** s3://bucket/prefix */
  readonly url: string;
  readonly region: string;
  /** An S3-compatible endpoint (a VPC endpoint, MinIO, a test server); empty uses AWS. */
  readonly endpointUrl: string;
  readonly maxAttempts: number;
}

/**
 * Billing exports in an S3 bucket, as AWS Data Exports (CUR 2.0, FOCUS) and
 * other providers' S3-compatible deliveries write them. Credentials come
 * from the AWS SDK default chain.
 */
export function s3Source(options: S3SourceOptions): BillSource {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(options.url);
  if (!match) throw new Error(`not an s3://bucket/prefix URL: ${options.url}`);
  const bucket = match[1] as string;
  const prefix = match[2] as string;
  const client = new S3Client({
    region: options.region,
    maxAttempts: options.maxAttempts,
    ...(options.endpointUrl ? { endpoint: options.endpointUrl, forcePathStyle: true } : {}),
  });
  const keyOf = (id: string) => id.slice(`s3://${bucket}/`.length);
  return {
    name: options.url,
    async list() {
      const files: ListedFile[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
        for (const object of page.Contents ?? []) {
          if (!object.Key || !isBillingFileName(object.Key)) continue;
          const slash = object.Key.lastIndexOf('/');
          files.push({
            id: `s3://${bucket}/${object.Key}`,
            folder: `s3://${bucket}/${slash < 0 ? '' : object.Key.slice(0, slash)}`,
            version: (object.ETag ?? '').replaceAll('"', '') || `${object.LastModified?.getTime() ?? 0}-${object.Size ?? 0}`,
            modifiedMillis: object.LastModified?.getTime() ?? 0,
          });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return files.sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    async open(id) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(id) }));
      // In Node.js the SDK's body is an http.IncomingMessage: a Readable, streamed as it is parsed.
      const body: unknown = object.Body;
      if (!(body instanceof Readable)) throw new Error(`${id} has no readable body`);
      return body;
    },
  };
}
