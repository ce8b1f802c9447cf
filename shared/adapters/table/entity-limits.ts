/**
 * Table Storage caps one string property at 64 KiB (32 Ki UTF-16 code units). `progress` grows with
 * every event and `error.message` carries Azure's text verbatim, so both are capped before they
 * are stored. The cap keeps the first event (what was asked for) and the newest ones (where it
 * stands now) and drops events from the middle; an over-long message is cut with a trailing "…".
 */
import type { ProgressEvent, ServerError } from '../../domain/server';

export const ENTITY_LIMITS = {
  /** Most events kept in `progress`, the first one included. */
  maxProgressEvents: 100,
  /** Longest `progress` JSON, in UTF-16 code units (well under the 32,768 a property holds). */
  maxProgressChars: 30_000,
  /** Longest message of one progress event. */
  maxProgressMessageChars: 1_000,
  /** Longest `error.message` (Azure's messages are usually a few hundred characters). */
  maxErrorMessageChars: 8_000,
  maxErrorCodeChars: 256,
} as const;

export type EntityLimits = { readonly [K in keyof typeof ENTITY_LIMITS]: number };

/** Cuts `text` to at most `max` code units, marking the cut with "…" and never splitting a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** The progress list as stored: the first event plus as many of the newest as the limits allow. */
export function capProgress(events: readonly ProgressEvent[], limits: EntityLimits = ENTITY_LIMITS): ProgressEvent[] {
  const trimmed = events.map((event) => ({ ...event, message: truncateText(event.message, limits.maxProgressMessageChars) }));
  if (trimmed.length === 0) return [];
  const [first, ...rest] = trimmed;
  const kept: ProgressEvent[] = [];
  // "[" + first + "]" to start with; every further event adds a comma and its own JSON.
  let chars = 2 + JSON.stringify(first).length;
  for (let index = rest.length - 1; index >= 0; index -= 1) {
    const cost = 1 + JSON.stringify(rest[index]).length;
    if (kept.length + 2 > limits.maxProgressEvents || chars + cost > limits.maxProgressChars) break;
    kept.unshift(rest[index]);
    chars += cost;
  }
  return [first, ...kept];
}

export function capError(error: ServerError | null, limits: EntityLimits = ENTITY_LIMITS): ServerError | null {
  if (error === null) return null;
  return {
    code: truncateText(error.code, limits.maxErrorCodeChars),
    message: truncateText(error.message, limits.maxErrorMessageChars),
  };
}
