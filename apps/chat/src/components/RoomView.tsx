/** One room: header, messages, typing indicator, composer, and who is here. */
import { useEffect, useState } from 'react';
import { useChannel, usePresence } from '@pushflodev/sdk/react';
import { EVENTS, roomChannel, type Member, type RoomSummary } from '../../shared/rules.ts';
import { api, type User } from '../api.ts';
import type { Pending, RoomFeed } from '../chat-state.ts';
import { useTyping } from '../hooks/useTyping.ts';
import { Composer } from './Composer.tsx';
import { MemberList } from './MemberList.tsx';
import { MessageList } from './MessageList.tsx';
import { TypingIndicator } from './TypingIndicator.tsx';

interface Props {
  room: RoomSummary;
  me: User;
  feed: RoomFeed | undefined;
  pending: Pending[];
  onSend: (text: string, key?: string) => void;
  onDiscard: (key: string) => void;
  onLoadOlder: () => void;
  onJoin: () => void;
}

export function RoomView({ room, me, feed, pending, onSend, onDiscard, onLoadOlder, onJoin }: Props) {
  if (!room.joined) {
    return (
      <main className="room" data-testid="room" data-room-id={room.id} data-joined="false">
        <RoomHeader room={room} online={null} />
        <div className="join-panel">
          <h3>You're not in #{room.name} yet</h3>
          <p className="muted">{room.topic}</p>
          <button type="button" className="primary" data-testid="join-room" onClick={onJoin}>
            Join #{room.name}
          </button>
        </div>
      </main>
    );
  }
  return (
    <JoinedRoom
      room={room}
      me={me}
      feed={feed}
      pending={pending}
      onSend={onSend}
      onDiscard={onDiscard}
      onLoadOlder={onLoadOlder}
      onJoin={onJoin}
    />
  );
}

function RoomHeader({ room, online }: { room: RoomSummary; online: number | null }) {
  return (
    <header className="room-head">
      <div>
        <h1 data-testid="room-title">
          <span className="hash">#</span>
          {room.name}
        </h1>
        <p className="muted topic">{room.topic}</p>
      </div>
      {online !== null && (
        <span className="online-count" data-testid="online-count" data-count={online}>
          <span className="presence-dot on" /> {online} online
        </span>
      )}
    </header>
  );
}

function JoinedRoom({ room, me, feed, pending, onSend, onDiscard, onLoadOlder }: Props) {
  const lines = feed?.lines ?? [];
  const { members: online } = usePresence(roomChannel(room.id));
  const typing = useTyping(room.id, me, online, lines);

  // Members from the database, again whenever someone new joins.
  const [members, setMembers] = useState<Member[]>([]);
  const joins = lines.filter((l) => l.kind === 'join').length;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `joins` is a trigger: the member list is fetched again whenever a join line arrives.
  useEffect(() => {
    let live = true;
    api.members(room.id).then(
      (r) => live && setMembers(r.members),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [room.id, joins]);
  // "Last seen": the app server hears the broker's member_removed webhook, stores it, and announces it here.
  useChannel(roomChannel(room.id), {
    maxMessages: 1,
    onMessage: (m) => {
      if (m.clientEvent === true || m.eventType !== EVENTS.memberSeen) return;
      const { userId, lastSeenAt } = m.content as { userId?: unknown; lastSeenAt?: unknown };
      if (typeof userId !== 'string' || typeof lastSeenAt !== 'number') return;
      setMembers((list) => list.map((x) => (x.userId === userId ? { ...x, lastSeenAt } : x)));
    },
  });

  return (
    <>
      <main className="room" data-testid="room" data-room-id={room.id} data-joined="true">
        <RoomHeader room={room} online={online.length} />
        <MessageList
          roomName={room.name}
          lines={lines}
          pending={pending}
          me={me}
          loaded={feed?.loaded ?? false}
          hasMore={feed?.hasMore ?? false}
          onLoadOlder={onLoadOlder}
          onRetry={(p) => onSend(p.text, p.key)}
          onDiscard={onDiscard}
        />
        <TypingIndicator typists={typing.typists} />
        <Composer
          roomName={room.name}
          onSend={(text) => {
            typing.stop();
            onSend(text);
          }}
          onTyping={typing.typing}
        />
      </main>
      <MemberList members={members} online={online} me={me.id} />
    </>
  );
}
