/**
 * The dashboard: PushFloProvider around the page (publish key and broker URL
 * from /api/config at runtime), a tab per company, and that company's view.
 * Each view subscribes to `dashboard:company-{id}` and holds a bounded,
 * backfilled window of points.
 */
import { useEffect, useState } from 'react';
import { PushFloProvider } from '@pushflodev/sdk/react';
import type { AlertRule, AppConfig } from '../shared/types.ts';
import { BrokerView } from './BrokerView.tsx';
import { BusinessView } from './BusinessView.tsx';
import { ConnectionBadge } from './ConnectionBadge.tsx';
import { clock } from './format.ts';
import { useFeed } from './useFeed.ts';

function companyFromUrl(config: AppConfig): string {
  const id = new URLSearchParams(location.search).get('company');
  return config.companies.some((c) => c.id === id) ? id! : (config.companies[0]?.id ?? '1');
}

export function App({ config }: { config: AppConfig }) {
  const [company, setCompany] = useState(() => companyFromUrl(config));
  const select = (id: string) => {
    setCompany(id);
    history.replaceState(null, '', `?company=${id}`);
  };
  return (
    <PushFloProvider publishKey={config.publishKey} baseUrl={config.baseUrl}>
      <header className="topbar">
        <div className="brand">
          <img src="/icon.svg" alt="" width="28" height="28" />
          <span>Pulse</span>
          <span className="muted small">live dashboards on Switchyard</span>
        </div>
        <nav className="tabs" aria-label="Company">
          {config.companies.map((c) => (
            <button
              type="button"
              key={c.id}
              className={c.id === company ? 'tab active' : 'tab'}
              onClick={() => select(c.id)}
              data-testid={`tab-${c.id}`}
            >
              {c.name}
            </button>
          ))}
        </nav>
        <ConnectionBadge />
      </header>
      {/* keyed: switching company starts a fresh subscription and window */}
      <CompanyDashboard key={company} config={config} companyId={company} />
    </PushFloProvider>
  );
}

function CompanyDashboard({ config, companyId }: { config: AppConfig; companyId: string }) {
  const feed = useFeed(companyId, config.windowPoints);
  const company = config.companies.find((c) => c.id === companyId)!;
  const [p99Budget, setBudget] = useState(250);
  useEffect(() => {
    void fetch('/api/rules')
      .then((r) => r.json() as Promise<{ rules: AlertRule[] }>)
      .then(({ rules }) => setBudget(rules.find((r) => r.kind === 'delivery-p99')?.threshold ?? 250))
      .catch(() => undefined);
  }, []);
  const first = feed.points[0];
  const last = feed.points[feed.points.length - 1];
  return (
    <main
      className="page"
      data-testid="dashboard"
      data-company={companyId}
      data-subscribed={String(feed.isSubscribed)}
      data-points={feed.points.length}
      data-first-seq={first?.seq ?? 0}
      data-last-seq={last?.seq ?? 0}
      data-backfills={feed.backfills}
    >
      <div className="page-head">
        <div>
          <h1>{company.name}</h1>
          <p className="muted">
            <code>{feed.channel}</code> · <code>metrics-update</code> and <code>alert-triggered</code>, pushed every second
          </p>
        </div>
        <p className="muted small">
          {feed.points.length} / {config.windowPoints} points{last ? ` · last ${clock(last.value.t)} (seq ${last.seq})` : ''}
        </p>
      </div>
      {company.kind === 'broker' ? <BrokerView feed={feed} p99Budget={p99Budget} /> : <BusinessView feed={feed} />}
    </main>
  );
}
