/** Rooms (joined ones with unread counts, then the rest to join), the user, and the connection state. */
import type { RoomSummary } from '../../shared/rules.ts';
import type { User } from '../api.ts';
import { Avatar } from './Avatar.tsx';
import { ConnectionBadge } from './ConnectionBadge.tsx';

interface Props {
  user: User;
  rooms: RoomSummary[];
  openRoom: string | null;
  onOpen: (roomId: string) => void;
  onSignOut: () => void;
}

export function Sidebar({ user, rooms, openRoom, onOpen, onSignOut }: Props) {
  const joined = rooms.filter((r) => r.joined);
  const others = rooms.filter((r) => !r.joined);
  const item = (r: RoomSummary) => (
    <li key={r.id}>
      <button
        type="button"
        className={`room-link${r.id === openRoom ? ' active' : ''}${r.unread > 0 ? ' has-unread' : ''}`}
        onClick={() => onOpen(r.id)}
        data-testid={`room-${r.id}`}
        aria-current={r.id === openRoom ? 'page' : undefined}
      >
        <span className="hash">#</span>
        <span className="room-name">{r.name}</span>
        {r.joined && (
          <span className="badge" data-testid={`unread-${r.id}`} data-count={r.unread} hidden={r.unread === 0}>
            {r.unread > 99 ? '99+' : r.unread}
          </span>
        )}
      </button>
    </li>
  );
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="logo" aria-hidden="true" />
        Huddle
      </div>
      <nav aria-label="Rooms">
        <h2>Rooms</h2>
        <ul>{joined.map(item)}</ul>
        {others.length > 0 && (
          <>
            <h2>More rooms</h2>
            <ul className="others">{others.map(item)}</ul>
          </>
        )}
      </nav>
      <div className="me">
        <Avatar id={user.id} name={user.name} size={32} />
        <div className="me-text">
          <strong data-testid="me">{user.name}</strong>
          <ConnectionBadge />
        </div>
        <button type="button" className="link subtle" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </aside>
  );
}
