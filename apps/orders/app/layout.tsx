import type { Metadata } from 'next';
import Link from 'next/link';
import './globals.css';

export const metadata: Metadata = {
  title: 'Parcelly: live order tracking',
  description: 'Order tracking on Switchyard: status changes pushed to customers the moment the shop makes them.',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            <span className="logo">▣</span> Parcelly
          </Link>
          <nav>
            <Link href="/customer/1">Ana</Link>
            <Link href="/customer/2">Ben</Link>
            <Link href="/customer/3">Chloé</Link>
            <Link href="/shop" className="shop-link">
              Shop admin
            </Link>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
