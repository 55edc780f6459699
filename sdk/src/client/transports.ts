/** Which transport each connection attempt gets, from the `transport` option. */
import { AutoTransport, MAX_FALLBACK_MS, type TransportMemory } from './auto-transport.js';
import type { ResolvedOptions } from './options.js';
import { eventSourceReader, fetchReader } from './sse-reader.js';
import { SseTransport } from './sse-transport.js';
import type { TransportFactory } from './transport.js';
import { WebSocketTransport } from './websocket-transport.js';

/** The transport factory for the `transport` option. */
export function transports(o: ResolvedOptions, log: (...args: unknown[]) => void): TransportFactory {
  const websocket = () => new WebSocketTransport(o.WebSocket ?? globalThis.WebSocket);
  const reader = o.EventSource !== undefined ? eventSourceReader(o.EventSource) : o.fetch === undefined ? undefined : fetchReader(o.fetch);
  const sse = () => new SseTransport(reader, o.fetch);
  if (o.transport === 'websocket') return websocket;
  if (o.transport === 'sse') return sse;
  const memory: TransportMemory = { sseUntil: 0 };
  const fallbackMs = Math.min(MAX_FALLBACK_MS, Math.floor(o.connectionTimeout / 2));
  return () => new AutoTransport({ websocket, sse, clock: o.clock, memory, fallbackMs, log });
}
