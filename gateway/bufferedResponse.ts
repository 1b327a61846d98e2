/**
 * A subgraph's answer read whole, as @apollo/gateway's data sources read a fetch Response: status,
 * headers, the body as text or JSON, once. Made by the gateway's client to its subgraphs
 * (subgraphHttp.ts) and for each request that shares a fetch (subgraphDedup.ts), in place of a
 * WHATWG Response, whose body streams are set up for every one made.
 */
import type { FetcherHeaders, FetcherResponse } from '@apollo/utils.fetcher';

/**
 * Headers of a subgraph call, the answer's and the request's (subgraphDataSource.ts), names compared
 * without case, a repeated one joined with ", " as fetch does.
 */
export class BufferedHeaders implements FetcherHeaders {
  private readonly map = new Map<string, string>();
  constructor(entries: Iterable<[string, string]> = []) {
    for (const [name, value] of entries) this.append(name, value);
  }
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const had = this.map.get(key);
    this.map.set(key, had === undefined ? value : `${had}, ${value}`);
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string): void {
    this.map.set(name.toLowerCase(), value);
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  forEach(callback: (value: string, name: string, headers: BufferedHeaders) => void): void {
    for (const [name, value] of this.map) callback(value, name, this);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

/** A subgraph's answer, read whole: what @apollo/gateway's data sources read of a fetch Response. */
export class BufferedResponse implements FetcherResponse {
  readonly redirected = false;
  private used = false;
  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: BufferedHeaders,
    private readonly body: string,
  ) {}
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  get bodyUsed(): boolean {
    return this.used;
  }
  private take(): string {
    if (this.used) throw new TypeError('the body of this response has been read already');
    this.used = true;
    return this.body;
  }
  async text(): Promise<string> {
    return this.take();
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.take());
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(this.take());
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  clone(): BufferedResponse {
    if (this.used) throw new TypeError('a response whose body has been read cannot be cloned');
    return new BufferedResponse(this.url, this.status, this.statusText, new BufferedHeaders(this.headers), this.body);
  }
}
