/** Small building blocks shared by the pages: error and notice boxes, sections, key/value tables, forms. */
import type { ComponentChild, ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../api.js';

export function ErrorBox({ error }: { error: ApiError | Error | string }) {
  const text = typeof error === 'string' ? error : error.message;
  return (
    <div class="error" role="alert">
      {text}
    </div>
  );
}

/** What a page shows when its object is gone (a 404: the children say so) or cannot be read. */
export function GoneOrError({ error, children }: { error: ApiError; children: ComponentChildren }) {
  if (error.status !== 404) return <ErrorBox error={error} />;
  return (
    <div class="notice gone" data-gone>
      {children}
    </div>
  );
}

export function Section({ title, children, open = true }: { title: string; children: ComponentChildren; open?: boolean }) {
  return (
    <details class="section" open={open} data-section={title}>
      <summary>{title}</summary>
      <div class="section-body">{children}</div>
    </details>
  );
}

export function KeyValues({ rows }: { rows: readonly (readonly [string, ComponentChild])[] }) {
  return (
    <table class="kv">
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Loading() {
  return <p class="loading">Loading…</p>;
}

export interface Action {
  readonly busy: boolean;
  readonly error: string | undefined;
  readonly notice: string | undefined;
  /** Runs op; shows its error, or the notice it returns. */
  run(op: () => Promise<string | void>): Promise<boolean>;
}

/** State of a form's submit: busy while it runs, then an error or a notice to show. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  return {
    busy,
    error,
    notice,
    async run(op) {
      setBusy(true);
      setError(undefined);
      setNotice(undefined);
      try {
        const n = await op();
        if (typeof n === 'string') setNotice(n);
        return true;
      } catch (e) {
        setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}

/** Error or notice of an action, under its form. */
export function ActionResult({ action }: { action: Action }) {
  if (action.error !== undefined) return <ErrorBox error={action.error} />;
  if (action.notice !== undefined)
    return (
      <div class="notice" role="status">
        {action.notice}
      </div>
    );
  return null;
}

/** A form laid out as label/field rows, with one submit button. */
export function Form({
  name,
  submit,
  action,
  onSubmit,
  children,
}: {
  name: string;
  submit: string;
  action: Action;
  onSubmit: (data: FormData, form: HTMLFormElement) => Promise<string | void>;
  children: ComponentChildren;
}) {
  return (
    <form
      class="form"
      data-form={name}
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        void action.run(() => onSubmit(new FormData(form), form));
      }}
    >
      <table class="form-fields">
        <tbody>{children}</tbody>
      </table>
      <button type="submit" disabled={action.busy}>
        {submit}
      </button>
      <ActionResult action={action} />
    </form>
  );
}

export function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <tr>
      <th>
        <label>{label}</label>
      </th>
      <td>{children}</td>
    </tr>
  );
}

/** A button that asks before it acts (delete, purge, close). */
export function ConfirmButton({ label, question, action, onConfirm }: { label: string; question: string; action: Action; onConfirm: () => Promise<string | void> }) {
  return (
    <span class="confirm">
      <button
        type="button"
        data-action={label}
        disabled={action.busy}
        onClick={() => {
          if (confirm(question)) void action.run(onConfirm);
        }}
      >
        {label}
      </button>
    </span>
  );
}

/** A ConfirmButton followed by its action's error or notice (its own action, unless one is given). */
export function ConfirmAction({ action, ...button }: { label: string; question: string; onConfirm: () => Promise<string | void>; action?: Action }) {
  const own = useAction();
  const shown = action ?? own;
  return (
    <>
      <ConfirmButton {...button} action={shown} />
      <ActionResult action={shown} />
    </>
  );
}

export function text(data: FormData, name: string): string {
  const v = data.get(name);
  return typeof v === 'string' ? v : '';
}
