/** The `<option>`s of a select: each value as its own label, or [value, label] pairs. */
type Choice = string | number | readonly [value: string | number, label: string];

export function Options({ choices }: { choices: readonly Choice[] }) {
  return (
    <>
      {choices.map((c) => {
        const [value, label] = typeof c === 'object' ? c : [c, c];
        return (
          <option key={value} value={value}>
            {label}
          </option>
        );
      })}
    </>
  );
}
