/** RabbitMQ's "Add: A | B | C" links under a form field, each filling the field in. */

export interface QuickLink {
  readonly label: string;
  /** The link's own attributes: its hook for the tests (data-arg, data-add-tag…) and title. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly onClick: () => void;
}

export function QuickLinks({ class: className, links }: { class: string; links: readonly QuickLink[] }) {
  return (
    <div class={className}>
      Add:{' '}
      {links.map((link, i) => (
        <span key={link.label}>
          {i > 0 && ' | '}
          <button type="button" class="link" {...link.attributes} onClick={link.onClick}>
            {link.label}
          </button>
        </span>
      ))}
    </div>
  );
}
