/**
 * Alert rules, evaluated on the broker's recent samples. Pure functions: the
 * schedule feeds them samples and turns a change from fine to firing into an
 * `alert-triggered` message.
 */
import type { AlertRule } from '../shared/types.ts';

/** What the rules look at, one per tick. */
export interface Sample {
  /** Broker time of the snapshot, ms. */
  t: number;
  connections: number;
  /** Delivery p99 over the broker's last 10 s (null: no deliveries). */
  p99: number | null;
  /** Deliveries behind that p99. */
  latencyCount: number;
  /** Error totals as the broker counts them. */
  errorsTotal: number;
  errorsByCode: Record<string, number>;
}

export interface Verdict {
  firing: boolean;
  value: number;
  detail: string;
}

/** How far back the error rate and the connection drop look (ms), whatever the tick. */
export const LOOKBACK_MS = 5_000;
/** A p99 from fewer deliveries than this is too noisy to alert on. */
export const MIN_LATENCY_SAMPLES = 20;
/** A drop from fewer connections than this is not worth an alert. */
export const MIN_CONNECTIONS = 10;

const fine = (value: number, detail = ''): Verdict => ({ firing: false, value, detail });

/** Errors per second over the lookback, and the codes behind them (most first). */
export function errorRate(samples: readonly Sample[]): {
  perSecond: number;
  count: number;
  seconds: number;
  codes: Array<[string, number]>;
} {
  const last = samples[samples.length - 1];
  const first = last === undefined ? undefined : samples.find((s) => s.t >= last.t - LOOKBACK_MS);
  if (last === undefined || first === undefined || last === first) return { perSecond: 0, count: 0, seconds: 0, codes: [] };
  const seconds = Math.max(1, (last.t - first.t) / 1000);
  // A broker restart resets its totals: never a negative count.
  const count = Math.max(0, last.errorsTotal - first.errorsTotal);
  const codes = Object.entries(last.errorsByCode)
    .map(([code, n]): [string, number] => [code, Math.max(0, n - (first.errorsByCode[code] ?? 0))])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  return { perSecond: count / seconds, count, seconds, codes };
}

export function evaluate(rule: AlertRule, samples: readonly Sample[]): Verdict {
  const last = samples[samples.length - 1];
  if (last === undefined) return fine(0);
  switch (rule.kind) {
    case 'delivery-p99': {
      if (last.p99 === null || last.latencyCount < MIN_LATENCY_SAMPLES) return fine(last.p99 ?? 0);
      const detail = `p99 delivery ${last.p99} ms over the last 10 s (${last.latencyCount} deliveries; budget ${rule.threshold} ms)`;
      return { firing: last.p99 > rule.threshold, value: last.p99, detail };
    }
    case 'error-rate': {
      const r = errorRate(samples);
      const codes = r.codes.map(([c, n]) => `${c} ${n}`).join(', ');
      const detail = `${r.count} errors in ${Math.round(r.seconds)} s (${r.perSecond.toFixed(1)}/s; threshold ${rule.threshold}/s): ${codes}`;
      return { firing: r.perSecond > rule.threshold, value: Math.round(r.perSecond * 10) / 10, detail };
    }
    case 'connection-drop': {
      const window = samples.slice(0, -1).filter((s) => s.t >= last.t - LOOKBACK_MS);
      const peak = Math.max(0, ...window.map((s) => s.connections));
      if (peak < MIN_CONNECTIONS) return fine(0);
      const drop = Math.round(((peak - last.connections) / peak) * 100);
      const detail = `connections fell from ${peak} to ${last.connections} (−${drop}%) within ${LOOKBACK_MS / 1000} s (threshold ${rule.threshold}%)`;
      return { firing: drop >= rule.threshold, value: drop, detail };
    }
  }
}
