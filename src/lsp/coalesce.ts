/**
 * One run at a time per document: a request made while a run is going shares the next run
 * (edits made meanwhile coalesce into one follow-up), and a failed run does not block the next.
 */
export interface RunSlot<T> {
  running?: Promise<T>;
  queued?: Promise<T>;
}

export function coalesce<T>(slot: RunSlot<T>, run: () => Promise<T>): Promise<T> {
  if (slot.queued) return slot.queued;
  const after = (slot.running ?? Promise.resolve(undefined)).catch(() => undefined);
  const queued = after.then(() => {
    slot.queued = undefined;
    const running = run();
    slot.running = running;
    void running
      .finally(() => {
        if (slot.running === running) slot.running = undefined;
      })
      .catch(() => undefined);
    return running;
  });
  slot.queued = queued;
  return queued;
}
