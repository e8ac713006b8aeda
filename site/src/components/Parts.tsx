// A message with code inside it: the message holds a marker where each command goes (slot(0), …),
// so the sentence is translated whole and the commands stay <code>, byte for byte.
import { Fragment } from 'preact';

/** The marker a message parameter gets for the i-th code piece. */
export const slot = (i: number): string => `\u0000${i}\u0000`;

export function Parts({ text, codes }: { text: string; codes: string[] }) {
  const pieces = text.split(/\u0000(\d+)\u0000/);
  return (
    <>
      {pieces.map((p, i) => (i % 2 === 1 ? <code key={i}>{codes[Number(p)]}</code> : <Fragment key={i}>{p}</Fragment>))}
    </>
  );
}
