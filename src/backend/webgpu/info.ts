/** What initWebGPU found. */
export interface WebGPUInfo {
  /** 'navigator.gpu' (browser), 'webgpu (Dawn)' (Node) or the dawn.node file used. */
  source: string;
  vendor: string;
  architecture: string;
  description: string;
}
