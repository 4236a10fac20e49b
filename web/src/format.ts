/** Number formats shared by tables and charts (the tests read the same strings). */
export const pct = (x: number | null | undefined): string => x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`
export const secs = (x: number | null | undefined): string => x === null || x === undefined ? '–' : x < 100 ? `${x.toFixed(1)} s` : `${Math.round(x)} s`
export const usd = (x: number | null | undefined): string => x === null || x === undefined ? '–' : x < 0.01 ? `$${x.toFixed(4)}` : `$${x.toFixed(3)}`
export const int = (x: number): string => x.toLocaleString('en-US')
export const weight = (x: number): string => Number.isInteger(x) ? int(x) : x.toFixed(1)
export const armName = (a: { tool: string, model: string }): string => a.model === '' ? a.tool : `${a.tool} · ${a.model}`
/** a peer id is 52 characters: the first and last few tell peers apart */
export const shortId = (id: string | null): string => id === null ? 'this node' : id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id
export const ago = (iso: string | null | undefined): string => {
  if (iso === null || iso === undefined) return 'never'
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : s < 129600 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86400)} d ago`
}
