// The inspector's HTTP endpoints (/json/version, /json/list) read over one stream: how a listening
// socket is confirmed to be Node's inspector (docs/architecture.md, "Debugging: Node processes").
import type { Duplex } from 'node:stream';

/** The most of a response kept: /json/list of a process with many workers stays far below. */
const MAX_RESPONSE_BYTES = 256 * 1024;

/**
 * GETs `path` over `stream` (HTTP/1.1, Connection: close) and parses the JSON body; rejects on a
 * non-200 status, a body that is not JSON, or more than MAX_RESPONSE_BYTES. Destroys the stream.
 */
export function getInspectorJson(stream: Duplex, hostHeader: string, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      stream.destroy();
      if (error) return reject(error);
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      if (split < 0 || status !== '200') return reject(new Error(`not an inspector response (${JSON.stringify(text.slice(0, 40))})`));
      try {
        resolve(JSON.parse(text.slice(split + 4)));
      } catch {
        reject(new Error('the inspector answered with a body that is not JSON'));
      }
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) return finish(new Error(`the response passed ${MAX_RESPONSE_BYTES} bytes`));
      chunks.push(chunk);
      if (complete(Buffer.concat(chunks).toString('latin1'))) finish();
    });
    stream.on('end', () => finish());
    stream.on('error', (error: Error) => finish(error));
    stream.write(`GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`);
  });
}

/** A full response: headers and Content-Length bytes of body (Node's inspector always sends it). */
function complete(text: string): boolean {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return false;
  const length = /^content-length:\s*(\d+)/im.exec(text.slice(0, split))?.[1];
  return length !== undefined && Buffer.byteLength(text.slice(split + 4), 'latin1') >= Number(length);
}

/** Whether a /json/version body is Node's inspector's ("Browser": "node.js/v20.…"). */
export function isNodeInspectorVersion(body: unknown): boolean {
  const browser = (body as { Browser?: unknown } | null)?.Browser;
  return typeof browser === 'string' && browser.startsWith('node.js/');
}
