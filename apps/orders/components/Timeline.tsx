import { LABEL, PATH, type Status } from '@/lib/status';
import { time } from './format';

/** The happy path as steps, the current one highlighted; delayed and cancelled as badges. */
export function Timeline({ status, events }: { status: Status; events: Array<{ id: string; status: Status; at: number }> }) {
  const reached = new Map<Status, number>();
  for (const e of events) reached.set(e.status, e.at);
  const current =
    status === 'delayed' || status === 'cancelled'
      ? ([...events].reverse().find((e) => PATH.includes(e.status))?.status ?? 'placed')
      : status;
  const index = PATH.indexOf(current);
  return (
    <ol className="timeline" data-testid="timeline" data-status={status}>
      {PATH.map((step, i) => (
        <li key={step} className={i < index ? 'done' : i === index ? `current ${status}` : 'todo'} data-step={step}>
          <span className="dot" />
          <span className="step">{LABEL[step]}</span>
          {reached.has(step) && <small>{time(reached.get(step)!)}</small>}
        </li>
      ))}
      {(status === 'delayed' || status === 'cancelled') && <li className={`badge ${status}`}>{LABEL[status]}</li>}
    </ol>
  );
}
