/** Company 1: the broker's own live metrics (connections, throughput, latency, errors, top channels). */
import { useMemo } from 'react';
import type { BrokerMetrics } from '../shared/types.ts';
import { AlertFeed } from './AlertFeed.tsx';
import { Chart, type Line } from './Chart.tsx';
import { num, rate } from './format.ts';
import { Kpi } from './Kpi.tsx';
import { WebhookPanel } from './WebhookPanel.tsx';
import type { Feed } from './useFeed.ts';

const THROUGHPUT: Line[] = [
  { label: 'delivered/s', color: '#6366f1', fill: true },
  { label: 'published/s', color: '#10b981', scale: 'pub' },
];
const LATENCY: Line[] = [
  { label: 'p50', color: '#0ea5e9', format: (v) => `${v} ms` },
  { label: 'p95', color: '#f59e0b', format: (v) => `${v} ms` },
  { label: 'p99', color: '#f43f5e', format: (v) => `${v} ms` },
];
const CONNECTIONS: Line[] = [
  { label: 'connections', color: '#8b5cf6', fill: true },
  { label: 'subscriptions', color: '#14b8a6' },
];
const ERRORS: Line[] = [{ label: 'errors/s', color: '#ef4444', fill: true }];

export function BrokerView({ feed, p99Budget }: { feed: Feed; p99Budget: number }) {
  const metrics = useMemo(() => feed.points.map((p) => p.value).filter((m): m is BrokerMetrics => m.kind === 'broker'), [feed.points]);
  const last = metrics[metrics.length - 1];
  const x = useMemo(() => metrics.map((m) => m.t / 1000), [metrics]);
  const col = (f: (m: BrokerMetrics) => number | null) => metrics.map(f);
  const codes = Object.entries(last?.errorsByCode ?? {}).sort((a, b) => b[1] - a[1]);
  const maxTalk = Math.max(1, ...(last?.topChannels ?? []).map((c) => c.recent));

  return (
    <div className="layout">
      <div className="kpis">
        <Kpi label="Connections" value={num(last?.connections)} testId="kpi-connections" />
        <Kpi label="Subscriptions" value={num(last?.subscriptions)} />
        <Kpi label="Published" value={rate(last?.publishedPerSec)} unit="/s" />
        <Kpi label="Delivered" value={rate(last?.deliveredPerSec)} unit="/s" testId="kpi-delivered" />
        <Kpi
          label="Delivery p99"
          value={last?.p99 == null ? '–' : `≤ ${num(last.p99)}`}
          unit="ms"
          hint={`budget ${p99Budget} ms`}
          tone={last?.p99 != null && last.p99 > p99Budget ? 'bad' : 'ok'}
        />
        <Kpi
          label="Errors"
          value={rate(last?.errorsPerSec)}
          unit="/s"
          tone={(last?.errorsPerSec ?? 0) > 0 ? 'warn' : 'ok'}
          testId="kpi-errors"
        />
      </div>
      <div className="charts">
        <Chart
          title="Throughput"
          subtitle="messages per second"
          x={x}
          ys={[col((m) => m.deliveredPerSec), col((m) => m.publishedPerSec)]}
          lines={THROUGHPUT}
          testId="chart-throughput"
        />
        <Chart
          title="Delivery latency"
          subtitle="publish accepted → frame sent, ms"
          x={x}
          ys={[col((m) => m.p50), col((m) => m.p95), col((m) => m.p99)]}
          lines={LATENCY}
        />
        <Chart
          title="Connections"
          subtitle="sockets and subscriptions"
          x={x}
          ys={[col((m) => m.connections), col((m) => m.subscriptions)]}
          lines={CONNECTIONS}
        />
        <Chart title="Errors" subtitle="error responses and frames per second" x={x} ys={[col((m) => m.errorsPerSec)]} lines={ERRORS} />
      </div>
      <aside className="side">
        <AlertFeed alerts={feed.alerts} />
        <WebhookPanel figures={last?.webhooks ?? null} />
        <section className="card">
          <header>
            <h3>Top channels</h3>
            <span className="muted small">last 10 s</span>
          </header>
          {(last?.topChannels.length ?? 0) === 0 ? (
            <p className="muted empty">No traffic right now.</p>
          ) : (
            <ul className="bars">
              {last!.topChannels.map((c) => (
                <li key={c.channel}>
                  <span className="bar-label" title={c.channel}>
                    {c.channel}
                  </span>
                  <span className="bar">
                    <span style={{ width: `${(c.recent / maxTalk) * 100}%` }} />
                  </span>
                  <span className="bar-value">{rate(c.recent)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card">
          <header>
            <h3>Errors by code</h3>
            <span className="muted small">since start</span>
          </header>
          {codes.length === 0 ? (
            <p className="muted empty">No errors.</p>
          ) : (
            <ul className="codes">
              {codes.map(([code, n]) => (
                <li key={code}>
                  <code>{code}</code>
                  <span>{num(n)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </aside>
    </div>
  );
}
