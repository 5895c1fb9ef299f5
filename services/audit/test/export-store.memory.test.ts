import { MemoryExportFiles } from '../src/adapters/memory/export-files.js';
import { MemoryExportJobs } from '../src/adapters/memory/export-jobs.js';
import { exportStoreContract } from './contract/export-store.contract.js';

let n = 0;
exportStoreContract('memory', async () => ({ jobs: new MemoryExportJobs(), files: new MemoryExportFiles() }), () => `tenant-${++n}`);
