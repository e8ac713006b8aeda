// Where the labs run right now: "lab server" or "in this tab: simulated kernel", with the ways to
// a real kernel one click away.
import { useState } from 'preact/hooks';
import { useEngine } from '../engine/context.tsx';
import { Dialog } from './Dialog.tsx';

const REPO_DOCS = 'README.md';

export function EngineBadge() {
  const engine = useEngine();
  const [open, setOpen] = useState(false);
  const { info } = engine;
  return (
    <>
      <button
        type="button"
        class={`chip chip-engine engine-${info.kind}`}
        data-engine={info.kind}
        onClick={() => setOpen(true)}
        title={info.description}
      >
        <span>
          {info.label}
          <span class="hide-narrow">: {info.kernel}</span>
        </span>
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Where these labs run">
        <p>{info.description}</p>
        {info.kind === 'page' ? (
          <>
            <p>
              Everything runs in this browser tab: a simulated Linux kernel (addresses, routes, bridges, veth pairs, tunnels, ping),
              a shell on each node, your plugin and the checks. Nothing is sent anywhere; your work stays in this browser.
            </p>
            <p>The same labs on a real kernel, with the same plugin and the same checks:</p>
            <ul>
              <li>
                Network namespaces on a Linux machine (root): <code>npm start</code> — the lab server with a terminal on each node.
              </li>
              <li>
                Three VMs (Vagrant): <code>npx cnilab cluster up --backend vagrant</code>, then <code>npm start</code>.
              </li>
            </ul>
            <p class="muted">
              See the kit’s {REPO_DOCS} (“Getting started”). Lab 09 needs containerd, which only a real node has.
            </p>
          </>
        ) : info.details ? (
          info.details.map((d) => <p key={d}>{d}</p>)
        ) : (
          <p class="muted">The lab server runs the terminals and checks on the cluster it was started with.</p>
        )}
      </Dialog>
    </>
  );
}
