import { ShopView } from '@/components/ShopView';
import { listOrders, listUsers } from '@/lib/orders';

export const dynamic = 'force-dynamic';

export default function ShopPage() {
  return <ShopView initialOrders={listOrders()} users={listUsers()} />;
}
