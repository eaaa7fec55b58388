/** What the browser page (tests/webgpu/page.ts) reports back to the Node test. */
export interface PageReport {
  adapter: { source: string; vendor: string; architecture: string; description: string } | null;
  /** One entry per fixture group and input layout. */
  groups: { group: string; layout: string; cases: number; failures: string[] }[];
  /** Loss curves of the same runs on the CPU and on WebGPU, and the worst relative difference. */
  training: { name: string; cpu: number[]; gpu: number[]; worst: number }[];
  /** Device API checks. */
  api: { name: string; ok: boolean; detail: string }[];
  error: string | null;
}
