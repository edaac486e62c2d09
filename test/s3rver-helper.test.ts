import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startS3, type TestS3 } from "./helpers/s3rver.js";

let s3: TestS3;

beforeAll(async () => {
  s3 = await startS3(["logs"]);
});

afterAll(async () => {
  await s3.close();
});

test("s3rver lists past the first page", async () => {
  for (let i = 0; i < 5; i++) {
    await s3.client.send(
      new PutObjectCommand({
        Bucket: "logs",
        Key: `p/2024-01-01-00-00-0${i}-0123456789ABCDEF`,
        Body: `line ${i}\n`,
      }),
    );
  }
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.client.send(
      new ListObjectsV2Command({
        Bucket: "logs",
        Prefix: "p/",
        MaxKeys: 2,
        ContinuationToken: token,
      }),
    );
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    token = page.NextContinuationToken;
  } while (token);
  expect(keys).toHaveLength(5);
  expect(keys[4]).toBe("p/2024-01-01-00-00-04-0123456789ABCDEF");
});
