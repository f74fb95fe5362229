/** The virtual host chosen in the header ('' = all), which the list pages show. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface VhostChoice {
  readonly vhost: string;
  readonly names: readonly string[];
}

export const VhostContext = createContext<VhostChoice>({ vhost: '', names: [] });

export function useVhost(): VhostChoice {
  return useContext(VhostContext);
}

/** The API list path for the chosen vhost: `queues` or `queues/%2F`. */
export function listPath(resource: string, vhost: string): string {
  return vhost === '' ? resource : `${resource}/${encodeURIComponent(vhost)}`;
}
