// Loaded with `node --import` into every test process the per-backend suite run starts: fails
// the process at once when the backend that runs is not the one TSGRAD_EXPECT_BACKEND names.
import { getBackend } from '../../src/backend/registry.js';
import '../../src/backend/defaults.js';

const want = process.env['TSGRAD_EXPECT_BACKEND'];
if (want) {
  const got = getBackend().name;
  if (got !== want) {
    process.stderr.write(`tsgrad tests: TSGRAD_EXPECT_BACKEND=${want} but the backend running is ${got}\n`);
    process.exit(3);
  }
}
