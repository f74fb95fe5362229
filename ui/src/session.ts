/** Who is logged in, and what their tags let them see and do (RabbitMQ's management tags). */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface Session {
  readonly user: string;
  readonly tags: readonly string[];
}

export function tagsOf(tags: readonly string[] | string): string[] {
  return (Array.isArray(tags) ? [...tags] : String(tags).split(',')).map((t) => t.trim()).filter((t) => t !== '');
}

export const SessionContext = createContext<Session>({ user: '', tags: [] });

export function useSession(): Session {
  return useContext(SessionContext);
}

export function isAdministrator(s: Session): boolean {
  return s.tags.includes('administrator');
}

/** Monitoring (and administrator) users see every connection and the node's figures. */
export function isMonitor(s: Session): boolean {
  return s.tags.includes('administrator') || s.tags.includes('monitoring');
}
