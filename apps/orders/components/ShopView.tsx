'use client';
/** The shop: every order, buttons that call the serverless functions, a form to create one. */
import { useState } from 'react';
import type { Order } from '@/lib/orders';
import { allowedNext, advanceFrom, LABEL, type Status } from '@/lib/status';
import { money, time } from './format';

export function ShopView({ initialOrders, users }: { initialOrders: Order[]; users: Array<{ id: string; name: string }> }) {
  const [orders, setOrders] = useState(initialOrders);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [form, setForm] = useState({ userId: users[0]?.id ?? '', item: '', total: '' });

  async function call(url: string, init: RequestInit, key: string) {
    setBusy(key);
    setError(null);
    try {
      const res = await fetch(url, { ...init, headers: { 'Content-Type': 'application/json' } });
      const json = (await res.json()) as { error?: string; code?: string };
      if (!res.ok) setError(`${json.error ?? 'request failed'} (${json.code ?? res.status})`);
      const list = await fetch('/api/orders', { cache: 'no-store' });
      setOrders(((await list.json()) as { orders: Order[] }).orders);
      return res.ok;
    } finally {
      setBusy(null);
    }
  }

  const act = (o: Order, action: 'advance' | 'delay' | 'cancel') =>
    call(`/api/orders/${o.id}`, { method: 'PATCH', body: JSON.stringify({ action }) }, `${o.id}:${action}`);

  return (
    <section className="shop">
      <div className="page-head">
        <div>
          <h1>Orders</h1>
          <p className="muted">Every change is saved, then pushed to the customer's screen.</p>
        </div>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="error">
          {error}
        </p>
      )}
      <form
        className="create"
        data-testid="create-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const cents = Math.round(Number(form.total) * 100);
          const ok = await call(
            '/api/orders',
            {
              method: 'POST',
              body: JSON.stringify({ userId: form.userId, item: form.item, totalCents: Number.isFinite(cents) ? cents : -1 }),
            },
            'create',
          );
          if (ok) setForm((f) => ({ ...f, item: '', total: '' }));
        }}
      >
        <select
          aria-label="Customer"
          value={form.userId}
          onChange={(e) => {
            const value = e.target.value;
            setForm((f) => ({ ...f, userId: value }));
          }}
        >
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
        <input
          aria-label="Item"
          placeholder="Item"
          value={form.item}
          onChange={(e) => {
            const value = e.target.value;
            setForm((f) => ({ ...f, item: value }));
          }}
        />
        <input
          aria-label="Total"
          placeholder="Total ($)"
          inputMode="decimal"
          value={form.total}
          onChange={(e) => {
            const value = e.target.value;
            setForm((f) => ({ ...f, total: value }));
          }}
        />
        <button type="submit" disabled={busy === 'create'}>
          Create order
        </button>
      </form>
      <table className="orders-table">
        <thead>
          <tr>
            <th>Order</th>
            <th>Customer</th>
            <th>Item</th>
            <th>Total</th>
            <th>Status</th>
            <th>Updated</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => {
            const resume = [...o.events].reverse().find((e) => e.status !== 'delayed' && e.status !== 'cancelled')?.status ?? null;
            const next = allowedNext(o.status, resume as Status | null);
            const advance = advanceFrom(o.status, resume as Status | null);
            return (
              <tr key={o.id} data-testid={`row-${o.id}`} data-status={o.status}>
                <td className="mono">{o.id}</td>
                <td>{o.customer}</td>
                <td>{o.item}</td>
                <td>{money(o.totalCents)}</td>
                <td>
                  <span className={`pill ${o.status}`}>{o.status.replaceAll('_', ' ')}</span>
                </td>
                <td className="muted">{time(o.updatedAt)}</td>
                <td className="actions">
                  <button type="button" onClick={() => act(o, 'advance')} disabled={!advance || busy !== null} data-testid="advance">
                    {advance ? `→ ${LABEL[advance]}` : 'Done'}
                  </button>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => act(o, 'delay')}
                    disabled={!next.includes('delayed') || busy !== null}
                    data-testid="delay"
                  >
                    Delay
                  </button>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => act(o, 'cancel')}
                    disabled={!next.includes('cancelled') || busy !== null}
                    data-testid="cancel"
                  >
                    Cancel
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
