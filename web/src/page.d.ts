/** A page of the dashboard: mounted once per visit, refreshed whenever the node's data changes. */
export interface Page {
  title: string
  mount: (main: HTMLElement) => void
  /** refetches and redraws its data (never the controls: focus and input survive a refresh) */
  refresh: () => Promise<void>
  /** refresh on a timer too, for data outside the change stamp (peer connections) */
  pollSeconds?: number
}
