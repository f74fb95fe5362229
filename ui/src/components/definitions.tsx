/**
 * "Export definitions" and "Import definitions" (administrators), as on RabbitMQ's overview:
 * GET /api/definitions saved as a JSON file, and a JSON file posted to /api/definitions. The
 * broker validates a whole file before changing anything, so a bad file changes nothing.
 */
import { useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { ActionResult, useAction } from './ui.js';

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function Definitions() {
  const exporting = useAction();
  const importing = useAction();
  const [file, setFile] = useState<File | null>(null);
  const date = new Date().toISOString().slice(0, 10);
  return (
    <div class="definitions">
      <div data-form="export-definitions">
        <h3>Export definitions</h3>
        <p class="muted">Users, virtual hosts, permissions, exchanges, queues and bindings, as RabbitMQ exports them.</p>
        <button
          type="button"
          data-action="Download broker definitions"
          disabled={exporting.busy}
          onClick={() =>
            void exporting.run(async () => {
              const defs = await get<unknown>('definitions');
              download(`warren-definitions-${date}.json`, JSON.stringify(defs, null, 2));
            })
          }
        >
          Download broker definitions
        </button>
        <ActionResult action={exporting} />
      </div>
      <form
        data-form="import-definitions"
        onSubmit={(e) => {
          e.preventDefault();
          void importing.run(async () => {
            if (file === null) throw new Error('Choose a definitions file first.');
            let body: unknown;
            try {
              body = JSON.parse(await file.text());
            } catch {
              throw new Error(`${file.name} is not a JSON file.`);
            }
            await post('definitions', body);
            return `Definitions imported from ${file.name}.`;
          });
        }}
      >
        <h3>Import definitions</h3>
        <p class="muted">A file exported from Warren or RabbitMQ. An invalid file changes nothing.</p>
        <input type="file" name="file" accept=".json,application/json" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />{' '}
        <button type="submit" disabled={importing.busy}>
          Upload broker definitions
        </button>
        <ActionResult action={importing} />
      </form>
    </div>
  );
}
