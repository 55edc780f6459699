import Link from 'next/link';
import { listUsers } from '@/lib/orders';

export const dynamic = 'force-dynamic';

export default function Home() {
  const users = listUsers();
  return (
    <section className="home">
      <h1>Every order, live.</h1>
      <p className="lead">
        Customers watch their orders move from placed to delivered the moment the shop updates them: no refresh, no polling. Open a customer
        in one window and the shop in another.
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
        <Link href="/shop" className="card shop">
          <span className="avatar">S</span>
          <span>
            <strong>Shop admin</strong>
            <small>Create and advance orders</small>
          </span>
        </Link>
      </div>
    </section>
  );
}
