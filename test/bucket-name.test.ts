import { expect, test } from "vitest";
import { bucketNameProblem } from "../src/config/bucket-name.js";

const valid = [
  "abc",
  "a".repeat(63),
  "my-site",
  "www.example.com",
  "123-logs",
  "logs.2024",
  "1.2.3",
  "shop-s3alias-x",
  "xn-shop",
];

test.each(valid)("accepts %s", (name) => {
  expect(bucketNameProblem(name)).toBeNull();
});

const invalid: [string, string][] = [
  ["", "it has 0 characters"],
  ["ab", "it has 2 characters, but a bucket name has 3 to 63"],
  ["a", "it has 1 character, but a bucket name has 3 to 63"],
  ["a".repeat(64), "it has 64 characters"],
  ["Shop-Site", 'it contains "S"'],
  ["shop_site", 'it contains "_"'],
  ["shop site", 'it contains " "'],
  ["-shop", "starts and ends with a lowercase letter or digit"],
  [".shop", "starts and ends with a lowercase letter or digit"],
  ["shop-", "starts and ends with a lowercase letter or digit"],
  ["shop.", "starts and ends with a lowercase letter or digit"],
  ["shop..site", 'it contains ".."'],
  ["192.168.5.4", "formatted as an IP address"],
  ["xn--shop", 'it starts with "xn--"'],
  ["sthree-shop", 'it starts with "sthree-"'],
  ["amzn-s3-demo-shop", 'it starts with "amzn-s3-demo-"'],
  ["shop-s3alias", 'it ends with "-s3alias"'],
  ["shop--ol-s3", 'it ends with "--ol-s3"'],
  ["shop.mrap", 'it ends with ".mrap"'],
  ["shop--x-s3", 'it ends with "--x-s3"'],
];

test.each(invalid)("rejects %j", (name, rule) => {
  expect(bucketNameProblem(name)).toContain(rule);
});
