/**
 * A customer page for someone the shop does not know (`notFound()` in
 * page.tsx): Parcelly's own page, still a 404, pointing at the customers
 * that do exist.
 */
import Link from 'next/link';
import { listUsers } from '@/lib/orders';

export default function NoSuchCustomer() {
  const users = listUsers();
  return (
    <section className="home not-found" data-testid="no-such-customer">
      <p className="eyebrow">404</p>
      <h1>No such customer</h1>
      <p className="lead">
        We don&apos;t have a customer at this address, so there are no orders to track here. Check the link, or pick one of these:
      </p>
      <div className="cards">
        {users.map((u) => (
          <Link key={u.id} href={`/customer/${u.id}`} className="card">
            <span className="avatar">{u.name[0]}</span>
            <span>
              <strong>{u.name}</strong>
              <small>Customer view</small>
            </span>
          </Link>
        ))}
        <Link href="/" className="card shop">
          <span className="avatar">▣</span>
          <span>
            <strong>Parcelly home</strong>
            <small>Every order, live</small>
          </span>
        </Link>
      </div>
    </section>
  );
}
