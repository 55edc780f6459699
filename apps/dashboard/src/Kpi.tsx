/** A key figure: label, value, unit, and a tone when it needs attention. */
interface Props {
  label: string;
  value: string;
  unit?: string;
  hint?: string;
  tone?: 'ok' | 'warn' | 'bad';
  testId?: string;
}

export function Kpi({ label, value, unit, hint, tone = 'ok', testId }: Props) {
  return (
    <div className={`card kpi ${tone}`} data-testid={testId}>
      <span className="kpi-label">{label}</span>
      <span className="kpi-value">
        {value}
        {unit && <small>{unit}</small>}
      </span>
      {hint && <span className="kpi-hint">{hint}</span>}
    </div>
  );
}
