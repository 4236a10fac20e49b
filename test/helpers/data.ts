/** The 12,500 SWE-bench Verified outcomes (see ../shared/data/README.md), beside the repository. */
export const SWEBENCH_CSV = new URL('../../../shared/data/swebench-verified-bash-only.csv', import.meta.url).pathname
