import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { CustomerView } from '@/components/CustomerView';
import { listOrders, listUsers } from '@/lib/orders';
import { config } from '@/lib/config';
import { customerChannel } from '@/lib/pushflo';

export const dynamic = 'force-dynamic';

/** An unknown customer's page says so in its title too (not-found.tsx renders the page itself). */
export async function generateMetadata({ params }: { params: Promise<{ userId: string }> }): Promise<Metadata> {
  const { userId } = await params;
  return listUsers().some((u) => u.id === userId) ? {} : { title: 'No such customer · Parcelly' };
}

export default async function CustomerPage({ params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  const user = listUsers().find((u) => u.id === userId);
  if (!user) notFound();
  return (
    <CustomerView
      userId={userId}
      name={user.name}
      channel={customerChannel(userId)}
      baseUrl={config.browserBaseUrl}
      initialOrders={listOrders(userId)}
    />
  );
}
