import http from "node:http";
import type { AddressInfo } from "node:net";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createS3Client } from "../src/s3/client.js";

// A server that takes requests and never sends a response, as a hung
// S3-compatible store does; s3rver cannot be made to hang on demand.
let server: http.Server;
let endpoint: string;
let requests = 0;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID ??= "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY ??= "S3RVER";
  server = http.createServer(() => {
    requests++;
  });
  await new Promise<void>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve()),
  );
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test("silent server times out", async () => {
  const client = await createS3Client({
    endpoint,
    forcePathStyle: true,
    region: "us-east-1",
    socketTimeoutMs: 300,
  });
  try {
    await expect(
      client.send(new GetObjectCommand({ Bucket: "logs", Key: "a" })),
    ).rejects.toMatchObject({ name: "TimeoutError" });
  } finally {
    client.destroy();
  }
  expect(requests).toBeGreaterThan(0);
});
