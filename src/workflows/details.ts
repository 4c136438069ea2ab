import type { BatchView } from './messages';

/**
 * The batch at a glance, for the Temporal UI's "current details" (markdown): what an operator
 * opening the workflow wants before reading any event.
 */
export function operatorDetails(view: BatchView): string {
  const lines = [`**${view.status}**${view.batch_id ? ` · Bland batch \`${view.batch_id}\`` : ''}`];
  if (view.final) {
    const why = [view.final.code, view.final.reason].filter(Boolean).join(': ');
    lines.push(`Final (${view.final.source})${why ? ` — ${why}` : ''}`);
  }
  if (view.counts) {
    lines.push(`Calls: ${view.counts.successful} successful, ${view.counts.failed} failed of ${view.counts.total}`);
  }
  const { progress } = view;
  if (progress && !view.final) {
    const parts = [
      progress.requested !== undefined ? `requested ${progress.requested}` : '',
      progress.validated !== undefined ? `validated ${progress.validated}` : '',
      progress.dispatched !== undefined ? `dispatched ${progress.dispatched}` : '',
      progress.cps !== undefined ? `${progress.cps} calls/s` : '',
    ].filter(Boolean);
    lines.push(`Progress: ${parts.join(', ')}`);
  }
  if (view.last_message && !view.final) lines.push(`Bland says: ${view.last_message}`);
  if (view.cancel)
    lines.push(
      `Cancel requested at ${view.cancel.requested_at}${view.cancel.reason ? ` (${view.cancel.reason})` : ''}`,
    );
  if (!view.final) lines.push(`Deadline: ${view.deadline_at} (${view.options.on_deadline} at Bland)`);
  const ignored = view.events.filter((e) => !e.applied).length;
  lines.push(`Events: ${view.events.length} recorded, ${ignored} not applied, ${view.duplicates} duplicates dropped`);
  if (view.forwards_pending || view.forwards_failed) {
    lines.push(`Caller webhook: ${view.forwards_pending} pending, ${view.forwards_failed} given up`);
  }
  return lines.join('\n\n');
}
