import { payloadAdapterContract } from '../test-support/payload-adapter-contract.js';

payloadAdapterContract('postgresql');
