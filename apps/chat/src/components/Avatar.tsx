import { colorFor, initials } from '../format.ts';

export function Avatar({ id, name, size = 36, online }: { id: string; name: string; size?: number; online?: boolean }) {
  return (
    <span className="avatar" style={{ width: size, height: size, background: colorFor(id), fontSize: size * 0.38 }} aria-hidden="true">
      {initials(name)}
      {online !== undefined && <span className={`presence-dot ${online ? 'on' : 'off'}`} />}
    </span>
  );
}
