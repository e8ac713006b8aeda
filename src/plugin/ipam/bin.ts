// The simplecni-ipam executable (bundled to dist/simplecni-ipam.cjs).
import { startPlugin } from '../entry.ts';
import { ipamMain } from './ipamPlugin.ts';

startPlugin(ipamMain);
