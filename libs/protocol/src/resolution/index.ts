export { authChain, authEventsState, isPowerEvent, type EventLookup } from './event-graph';
export { iterativeAuthChecks } from './iterative-auth-checks';
export { mainlineOrder, reverseTopologicalPowerOrder } from './orderings';
export { resolveState, type StateResolutionInput, type StateSet } from './resolve-state';
