import { Component, type ComponentChildren } from 'preact';
import { tx } from '../lib/lang.ts';

export class ErrorBoundary extends Component<{ children: ComponentChildren; label: string }, { error: Error | null }> {
  override state = { error: null as Error | null };

  override componentDidCatch(error: unknown) {
    this.setState({ error: error instanceof Error ? error : new Error(String(error)) });
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div class="alert alert-error boundary" role="alert">
        <p>
          <strong>{tx('boundary.notShown', { what: this.props.label })}</strong> {error.message}
        </p>
        <button type="button" class="btn btn-small" onClick={() => this.setState({ error: null })}>
          {tx('common.tryAgain')}
        </button>
      </div>
    );
  }
}
