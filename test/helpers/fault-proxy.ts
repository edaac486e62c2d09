import http from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does with one request. */
export type FaultAction =
  | { readonly kind: "forward" }
  /** Responds with this status and S3 error XML, without contacting the target. */
  | {
      readonly kind: "error";
      readonly status: number;
      readonly code: string;
      readonly extra?: string;
      readonly headers?: Record<string, string>;
    }
  /** Forwards, then closes the connection after this many body bytes. */
  | { readonly kind: "cut-body"; readonly afterBytes: number };

/** A request the proxy received, path-style: `/<bucket>/<key>`. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
}

export interface FaultProxy {
  readonly endpoint: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 that forwards S3 requests to `target`,
 * an s3rver endpoint, unless `decide` injects a fault. Faults are S3 errors
 * that s3rver cannot be made to return (403, 503 SlowDown, a wrong region)
 * and connections cut in the middle of a body. With no target, every
 * request gets an error.
 */
export async function startFaultProxy(
  target: string | null,
  decide: (request: SeenRequest) => FaultAction,
): Promise<FaultProxy> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const seen: SeenRequest = {
      method: request.method ?? "GET",
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
    };
    requests.push(seen);
    const action = decide(seen);

    if (action.kind === "error" || target === null) {
      const error =
        action.kind === "error"
          ? action
          : { status: 500, code: "InternalError", extra: "", headers: {} };
      request.resume();
      response.writeHead(error.status, {
        "content-type": "application/xml",
        "x-amz-request-id": "0123456789ABCDEF",
        ...error.headers,
      });
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${error.code} injected by the test</Message>${error.extra ?? ""}<RequestId>0123456789ABCDEF</RequestId></Error>`,
      );
      return;
    }

    const forward = http.request(
      `${target}${request.url}`,
      { method: request.method, headers: request.headers },
      (upstream) => {
        response.writeHead(upstream.statusCode ?? 502, upstream.headers);
        if (action.kind === "forward") {
          upstream.pipe(response);
          return;
        }
        let sent = 0;
        upstream.on("data", (chunk: Buffer) => {
          if (sent >= action.afterBytes) return;
          const part = chunk.subarray(0, action.afterBytes - sent);
          sent += part.length;
          response.write(part);
          if (sent >= action.afterBytes) {
            upstream.destroy();
            // Let the partial body leave before the connection drops.
            setTimeout(() => response.socket?.destroy(), 20);
          }
        });
      },
    );
    forward.on("error", () => response.socket?.destroy());
    request.pipe(forward);
  });

  await new Promise<void>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
