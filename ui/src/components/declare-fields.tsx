/** The fields the "Add a new exchange" and "Add a new queue" forms share, as RabbitMQ's forms have them. */
import type { ComponentChildren } from 'preact';
import { Field } from './ui.js';

/** "Durability": Durable (sent as durable=true) or Transient. */
export function DurabilityField() {
  return (
    <Field label="Durability">
      <select name="durable">
        <option value="true">Durable</option>
        <option value="false">Transient</option>
      </select>
    </Field>
  );
}

/** A No/Yes choice sent as 'false'/'true', No first. */
export function NoYesField({ label, name }: { label: string; name: string }) {
  return (
    <Field label={label}>
      <select name={name}>
        <option value="false">No</option>
        <option value="true">Yes</option>
      </select>
    </Field>
  );
}

/** The "key=value per line" arguments box (its text kept by the form), with quick-add links under it. */
export function ArgumentsField({ value, onChange, rows, children }: { value: string; onChange: (text: string) => void; rows: number; children: ComponentChildren }) {
  return (
    <Field label="Arguments (key=value per line)">
      <textarea name="arguments" rows={rows} value={value} onInput={(e) => onChange(e.currentTarget.value)} />
      {children}
    </Field>
  );
}
