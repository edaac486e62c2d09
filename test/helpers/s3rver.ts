import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";

/** A real S3 API server on 127.0.0.1 and a client for setting it up. */
export interface TestS3 {
  /** Endpoint URL, such as http://127.0.0.1:40123. */
  readonly endpoint: string;
  /** A client for tests to upload and inspect objects with. */
  readonly client: S3Client;
  /** Environment for a child process that talks to this server. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts s3rver on a free port of 127.0.0.1 with a temporary folder and the
 * named buckets. The process running it needs --openssl-legacy-provider,
 * because s3rver encrypts list continuation tokens with DES.
 */
export async function startS3(buckets: readonly string[]): Promise<TestS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    // s3rver stores the SDK's aws-chunked checksum framing inside objects.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return {
    endpoint,
    client,
    env: {
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "us-east-1",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    async close() {
      client.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
