// Registers the built-in backends: the reference one, the wasm kernels, and the native addon
// (preferred when it loads; in Node without it, wasm). Every entry point (the package,
// `tsgrad/layers`, the CLI) imports this once.
import './ref/index.js';
import './wasm/index.js';
import './native/index.js';
import './webgpu/index.js';
