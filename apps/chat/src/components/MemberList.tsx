/** The room's members: online (presence) first, then everyone else who has joined. */
import type { PresenceMember } from '@pushflodev/sdk';
import type { Member } from '../../shared/rules.ts';
import { lastSeenText } from '../format.ts';
import { Avatar } from './Avatar.tsx';

export function MemberList({ members, online, me }: { members: Member[]; online: PresenceMember[]; me: string }) {
  const onlineIds = new Set(online.map((m) => m.clientId));
  const onlineList = online
    .map(
      (p): Member => ({
        userId: p.clientId,
        name: String(p.data?.name ?? members.find((m) => m.userId === p.clientId)?.name ?? p.clientId),
        lastSeenAt: null,
      }),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
  const offline = members.filter((m) => !onlineIds.has(m.userId));
  const row = (m: Member, isOnline: boolean) => (
    <li
      key={m.userId}
      data-testid="member"
      data-user-id={m.userId}
      data-name={m.name}
      data-online={String(isOnline)}
      className={isOnline ? '' : 'offline'}
    >
      <Avatar id={m.userId} name={m.name} size={28} online={isOnline} />
      <span className="member-name">
        {m.name}
        {m.userId === me && <span className="muted"> (you)</span>}
        {!isOnline && m.lastSeenAt !== null && (
          <span className="muted last-seen" data-testid="last-seen" data-at={m.lastSeenAt} title={new Date(m.lastSeenAt).toLocaleString()}>
            {lastSeenText(m.lastSeenAt, Date.now())}
          </span>
        )}
      </span>
    </li>
  );
  return (
    <aside className="members" aria-label="Members">
      <h2>
        Online <span className="muted">— {onlineList.length}</span>
      </h2>
      <ul data-testid="members-online">{onlineList.map((m) => row(m, true))}</ul>
      {offline.length > 0 && (
        <>
          <h2>
            Offline <span className="muted">— {offline.length}</span>
          </h2>
          <ul>{offline.map((m) => row(m, false))}</ul>
        </>
      )}
    </aside>
  );
}
