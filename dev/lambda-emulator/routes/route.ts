/** What a route is: the requests it answers, and how. The router in ../router.ts tries them in order. */
import type { EmulatorRequest } from '../http';
import type { EmulatorState } from '../state';
import type { RequestKind } from '../types';

export interface Route {
  /** any method when absent */
  method?: 'GET' | 'POST';
  /** matched against the raw (still percent-encoded) path; the groups reach `handle` undecoded */
  path: RegExp;
  /** counted for requestsOfKind as soon as the route is chosen, whatever it answers */
  kind?: RequestKind;
  handle(state: EmulatorState, request: EmulatorRequest, match: RegExpExecArray): Promise<void> | void;
}
