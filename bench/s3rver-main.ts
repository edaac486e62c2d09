// Runs s3rver on 127.0.0.1 and a free port, serving the folder named by the
// first argument, and prints the port. Started by startS3rverProcess.
import path from "node:path";

interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: object) => S3rverServer;

// s3rver ships no types; the module name is a variable so that tsc does not
// look for them.
const s3rverModule = "s3rver";
const { default: S3rver } = (await import(s3rverModule)) as {
  default: S3rverConstructor;
};
const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory: path.resolve(process.argv[2] ?? "s3rver-data"),
});
const { port } = await server.run();
process.stdout.write(`${port}\n`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
