/** Companies 2 and 3: a simulated shop's orders and revenue, streamed the same way. */
import { useMemo } from 'react';
import type { BusinessMetrics } from '../shared/types.ts';
import { AlertFeed } from './AlertFeed.tsx';
import { Chart, type Line } from './Chart.tsx';
import { money, num } from './format.ts';
import { Kpi } from './Kpi.tsx';
import type { Feed } from './useFeed.ts';

const ORDERS: Line[] = [{ label: 'orders/min', color: '#6366f1', fill: true }];
const REVENUE: Line[] = [{ label: 'revenue/min', color: '#10b981', fill: true, format: (v) => `$${v.toFixed(0)}` }];

export function BusinessView({ feed }: { feed: Feed }) {
  const metrics = useMemo(() => feed.points.map((p) => p.value).filter((m): m is BusinessMetrics => m.kind === 'business'), [feed.points]);
  const last = metrics[metrics.length - 1];
  const x = useMemo(() => metrics.map((m) => m.t / 1000), [metrics]);
  return (
    <div className="layout">
      <div className="kpis">
        <Kpi label="Orders" value={num(last?.ordersPerMin, 1)} unit="/min" testId="kpi-orders" />
        <Kpi label="Revenue" value={last ? money(last.revenuePerMinCents) : '–'} unit="/min" />
        <Kpi label="Orders today" value={num(last?.ordersToday)} />
        <Kpi label="Revenue today" value={last ? money(last.revenueTodayCents) : '–'} />
      </div>
      <div className="charts two">
        <Chart
          title="Orders"
          subtitle="per minute, rolling"
          x={x}
          ys={[metrics.map((m) => m.ordersPerMin)]}
          lines={ORDERS}
          height={260}
          testId="chart-orders"
        />
        <Chart
          title="Revenue"
          subtitle="per minute, rolling"
          x={x}
          ys={[metrics.map((m) => m.revenuePerMinCents / 100)]}
          lines={REVENUE}
          height={260}
        />
      </div>
      <aside className="side">
        <AlertFeed alerts={feed.alerts} />
      </aside>
    </div>
  );
}
