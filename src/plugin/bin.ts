// The SimpleCNI plugin executable (bundled to dist/simplecni.cjs; <binDir>/simplecni is a shim that runs it).
import { startPlugin } from './entry.ts';
import { main } from './main.ts';

startPlugin(main);
