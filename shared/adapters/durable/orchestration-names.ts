/** The names live beside the orchestrations (which import no adapter); re-exported for the adapters and functions. */
export * from '../../orchestrations/orchestration-names';
