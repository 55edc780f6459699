'use client';
/**
 * A customer's orders, live. Uses @pushflodev/sdk exactly as the public docs
 * show it: <PushFloProvider> around the page, useChannel() for the updates.
 * The browser gets a token (from /api/token) that lets it read only its own
 * private channel.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { PushFloProvider, useChannel, usePushFlo } from '@pushflodev/sdk/react';
import type { Message } from '@pushflodev/sdk';
import type { Order, OrderUpdate } from '@/lib/orders';
import { Timeline } from './Timeline';
import { money } from './format';

interface Props {
  userId: string;
  name: string;
  channel: string;
  baseUrl: string;
  initialOrders: Order[];
}

interface Notice {
  id: string;
  text: string;
  status: string;
  at: number;
  read: boolean;
}

declare global {
  interface Window {
    /** When each order update was rendered (ms since the epoch), for the e2e latency check. */
    __orderRenders?: Record<string, number>;
  }
}

export function CustomerView(props: Props) {
  return (
    <PushFloProvider baseUrl={props.baseUrl} authUrl={`/api/token?userId=${encodeURIComponent(props.userId)}`}>
      <Orders {...props} />
    </PushFloProvider>
  );
}

/** The socket's state as a live region (screen readers hear it change), with Retry once the client gave up. */
function ConnectionBadge() {
  const { connectionState, connect } = usePushFlo();
  const label = { connected: 'Live', connecting: 'Connecting…', disconnected: 'Reconnecting…', error: 'Offline' }[connectionState];
  return (
    <span className="conn-box">
      <span className={`conn ${connectionState}`} role="status" aria-live="polite" data-testid="connection" data-state={connectionState}>
        <span className="pulse" aria-hidden="true" />
        {label}
      </span>
      {connectionState === 'error' && (
        <button
          type="button"
          className="secondary retry"
          data-testid="retry-connection"
          onClick={() => void connect().catch(() => undefined)}
        >
          Retry
        </button>
      )}
    </span>
  );
}

function Orders({ userId, name, channel, initialOrders }: Props) {
  const [orders, setOrders] = useState(initialOrders);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [toasts, setToasts] = useState<Notice[]>([]);
  const [bellOpen, setBellOpen] = useState(false);

  const refetch = useCallback(async () => {
    const res = await fetch(`/api/orders?userId=${encodeURIComponent(userId)}`, { cache: 'no-store' });
    if (res.ok) setOrders(((await res.json()) as { orders: Order[] }).orders);
  }, [userId]);

  // The orders as last rendered, so the message handler can tell a new order
  // (fetched whole) from an update without side effects inside a state updater.
  const ordersRef = useRef(orders);
  ordersRef.current = orders;

  const onMessage = useCallback(
    (message: Message) => {
      const update = message.content as unknown as OrderUpdate;
      if (!ordersRef.current.some((o) => o.id === update.orderId)) void refetch(); // a new order: fetch it whole
      setOrders((prev) =>
        prev.map((o) =>
          o.id !== update.orderId || o.events.some((e) => e.id === update.eventId)
            ? o
            : {
                ...o,
                status: update.status,
                updatedAt: update.at,
                events: [...o.events, { id: update.eventId, status: update.status, at: update.at, note: update.note }],
              },
        ),
      );
      const notice: Notice = {
        id: update.eventId,
        text: `${update.item}: ${update.label}`,
        status: update.status,
        at: update.at,
        read: false,
      };
      setNotices((prev) => (prev.some((n) => n.id === notice.id) ? prev : [notice, ...prev].slice(0, 50)));
      setToasts((prev) => (prev.some((n) => n.id === notice.id) ? prev : [...prev, notice].slice(-4)));
      setTimeout(() => setToasts((prev) => prev.filter((t) => t.id !== notice.id)), 5000);
    },
    [refetch],
  );

  // Replay covers short outages; when it can't (history trimmed), refetch the truth.
  const { isSubscribed } = useChannel(channel, { onMessage, onGap: () => void refetch(), maxMessages: 50 });

  // Record render times of updates for the latency check in the e2e suite.
  useEffect(() => {
    window.__orderRenders ??= {};
    for (const n of toasts) window.__orderRenders[n.id] ??= Date.now();
  }, [toasts]);

  const unread = notices.filter((n) => !n.read).length;
  return (
    <section className="customer">
      <div className="page-head">
        <div>
          <h1>Hi {name.split(' ')[0]}</h1>
          <p className="muted">Your orders update here as soon as the shop moves them.</p>
        </div>
        <div className="head-actions">
          <ConnectionBadge />
          <button
            type="button"
            className="bell"
            aria-label={`Notifications: ${unread} unread`}
            data-testid="bell"
            onClick={() => {
              setBellOpen((o) => !o);
              setNotices((prev) => prev.map((n) => ({ ...n, read: true })));
            }}
          >
            <svg
              width="20"
              height="20"
              viewBox="0 0 24 24"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinecap="round"
              strokeLinejoin="round"
              aria-hidden="true"
            >
              <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
              <path d="M13.73 21a2 2 0 0 1-3.46 0" />
            </svg>
            {unread > 0 && (
              <span className="count" data-testid="unread">
                {unread}
              </span>
            )}
          </button>
        </div>
      </div>
      {bellOpen && (
        <div className="panel" data-testid="notifications">
          {notices.length === 0 ? <p className="muted">No notifications yet.</p> : notices.map((n) => <p key={n.id}>{n.text}</p>)}
        </div>
      )}
      <p className="muted small" data-testid="subscribed" data-subscribed={String(isSubscribed)}>
        {isSubscribed ? 'Listening for updates' : 'Not listening yet'}
      </p>
      <div className="orders">
        {orders.length === 0 && <p className="muted">No orders yet.</p>}
        {orders.map((o) => (
          <article key={o.id} className="order" data-testid={`order-${o.id}`} data-status={o.status}>
            <header>
              <div>
                <h2>{o.item}</h2>
                <small className="muted">
                  {o.id} · {money(o.totalCents)}
                </small>
              </div>
              <span className={`pill ${o.status}`}>{o.status.replaceAll('_', ' ')}</span>
            </header>
            <Timeline status={o.status} events={o.events} />
          </article>
        ))}
      </div>
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.status}`} data-testid="toast" data-event={t.id}>
            {t.text}
          </div>
        ))}
      </div>
    </section>
  );
}
