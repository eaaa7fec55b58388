// Registers the built-in backends: the reference one, and the native addon (preferred when it loads).
// Every entry point (the package, `tsgrad/layers`, the CLI) imports this once.
import './ref/index.js';
import './native/index.js';
