/**
 * The signed-in chat. One <PushFloProvider> (one socket, token from
 * /api/token) for every room the user belongs to: each joined room has a
 * live subscription (for unread counts), the open room adds presence and
 * typing. Sending goes through the app's function, never the socket.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { PushFloProvider } from '@pushflodev/sdk/react';
import { messageProblem, type ChatMessage } from '../../shared/rules.ts';
import { api, ApiError, type User } from '../api.ts';
import { initialState, reducer, unreadCount } from '../chat-state.ts';
import { useHashRoom } from '../hooks/useHashRoom.ts';
import { RoomSubscription } from './RoomSubscription.tsx';
import { RoomView } from './RoomView.tsx';
import { Sidebar } from './Sidebar.tsx';

interface Props {
  user: User;
  brokerUrl: string;
  onSignOut: () => void;
}

export function ChatApp(props: Props) {
  return (
    <PushFloProvider baseUrl={props.brokerUrl} authUrl="/api/token">
      <Chat {...props} />
    </PushFloProvider>
  );
}

function Chat({ user, onSignOut }: Props) {
  const [state, dispatch] = useReducer(reducer, initialState);
  const [subscribed, setSubscribed] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<string | null>(null);
  const [hashRoom, setHashRoom] = useHashRoom();
  const openRoom = hashRoom ?? state.rooms.find((r) => r.joined)?.id ?? null;

  const refreshRooms = useCallback(() => {
    api.rooms().then(
      (r) => dispatch({ type: 'rooms', rooms: r.rooms }),
      (err: Error) => setError(err.message),
    );
  }, []);
  useEffect(refreshRooms, [refreshRooms]);

  useEffect(() => {
    if (openRoom !== null && state.rooms.length > 0) dispatch({ type: 'open', roomId: openRoom });
  }, [openRoom, state.rooms.length]);

  const joined = state.rooms.filter((r) => r.joined);
  // Once every joined room is live, count again on the server: covers what was sent before the subscriptions started.
  const allLive = joined.length > 0 && joined.every((r) => subscribed[r.id] === true);
  const [ready, setReady] = useState(false);
  const recounted = useRef(false);
  useEffect(() => {
    if (allLive && !recounted.current) {
      recounted.current = true;
      api.rooms().then(
        (r) => {
          dispatch({ type: 'rooms', rooms: r.rooms });
          setReady(true);
        },
        (err: Error) => setError(err.message),
      );
    }
  }, [allLive]);

  const loadHistory = useCallback((roomId: string, before?: number) => {
    api.history(roomId, before).then(
      (h) => dispatch({ type: 'history', roomId, lines: h.messages, hasMore: h.hasMore, older: before !== undefined }),
      (err: Error) => setError(err.message),
    );
  }, []);

  // The open room's history, once its subscription is live (so nothing falls between the two).
  const openFeed = openRoom === null ? undefined : state.feeds[openRoom];
  const openLive = openRoom !== null && subscribed[openRoom] === true;
  useEffect(() => {
    if (openRoom !== null && openLive && openFeed?.loaded !== true) loadHistory(openRoom);
  }, [openRoom, openLive, openFeed?.loaded, loadHistory]);

  // Tell the server how far the open room has been read (so counts survive a reload).
  const lastOpenId = openFeed?.lines.at(-1)?.id ?? 0;
  useEffect(() => {
    if (openRoom !== null && lastOpenId > 0) void api.markRead(openRoom, lastOpenId).catch(() => undefined);
  }, [openRoom, lastOpenId]);

  const onLine = useCallback((line: ChatMessage) => dispatch({ type: 'live', line, me: user.id }), [user.id]);
  const onGap = useCallback(
    (roomId: string) => {
      loadHistory(roomId);
      refreshRooms();
    },
    [loadHistory, refreshRooms],
  );
  const onSubscribed = useCallback(
    (roomId: string, live: boolean) => setSubscribed((s) => (s[roomId] === live ? s : { ...s, [roomId]: live })),
    [],
  );

  const send = useCallback(async (roomId: string, text: string, key: string = crypto.randomUUID()) => {
    const problem = messageProblem(text);
    if (problem !== null) return problem.error;
    dispatch({ type: 'sending', pending: { key, roomId, text: text.trim(), status: 'sending', error: null, createdAt: Date.now() } });
    try {
      const { message } = await api.send(roomId, key, text);
      dispatch({ type: 'sent', line: message });
    } catch (err) {
      dispatch({ type: 'failed', key, error: err instanceof ApiError ? err.message : 'Not sent.' });
    }
    return null;
  }, []);

  const join = useCallback(async (roomId: string) => {
    try {
      dispatch({ type: 'rooms', rooms: (await api.join(roomId)).rooms });
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);

  const room = state.rooms.find((r) => r.id === openRoom) ?? null;
  return (
    <div className="app" data-testid="app" data-ready={String(ready)}>
      {joined.map((r) => (
        <RoomSubscription key={r.id} roomId={r.id} onLine={onLine} onGap={onGap} onSubscribed={onSubscribed} />
      ))}
      <Sidebar
        user={user}
        rooms={state.rooms.map((r) => ({ ...r, unread: unreadCount(state, r.id) }))}
        openRoom={openRoom}
        onOpen={setHashRoom}
        onSignOut={onSignOut}
      />
      {room === null ? (
        <main className="room empty-room">{state.rooms.length === 0 ? null : <p className="muted">Pick a room on the left.</p>}</main>
      ) : (
        <RoomView
          key={room.id}
          room={room}
          me={user}
          feed={state.feeds[room.id]}
          pending={state.pending.filter((p) => p.roomId === room.id)}
          onSend={(text, key) => send(room.id, text, key)}
          onDiscard={(key) => dispatch({ type: 'discard', key })}
          onLoadOlder={() => {
            const first = state.feeds[room.id]?.lines[0];
            if (first !== undefined) loadHistory(room.id, first.id);
          }}
          onJoin={() => join(room.id)}
        />
      )}
      {error !== null && (
        <div className="toast error" role="alert" data-testid="app-error">
          {error}
          <button type="button" className="link" onClick={() => setError(null)}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
