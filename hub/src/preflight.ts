import { parseGatewayEnv } from '@sportello/gateway';
import { ConfigError, type ConfigIssue } from '@sportello/platform';
import type { HubConfig } from './config.js';
import { SERVICE_MODULES } from './services.js';
import { serviceEnvironment, type Topology } from './topology.js';

/**
 * Reads every service's and the gateway's environment as each will at start, before anything starts:
 * a setting missing or wrong anywhere (production's secrets, a service's own variables) stops the
 * hub with one message naming every variable once, instead of one service after another failing.
 * @throws {ConfigError} listing every bad variable
 */
export function checkStartable(config: HubConfig, topology: Topology): void {
  const issues = new Map<string, ConfigIssue>();
  const collect = (read: () => unknown) => {
    try {
      read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const issue of error.issues) if (!issues.has(issue.variable)) issues.set(issue.variable, issue);
    }
  };
  for (const module of SERVICE_MODULES)
    collect(() => module.check(serviceEnvironment(module.name, config, topology)));
  collect(() => parseGatewayEnv(serviceEnvironment('gateway', config, topology)));
  if (issues.size > 0) {
    throw new ConfigError(config.mode === 'production' ? 'the hub in production' : 'the hub', [
      ...issues.values(),
    ]);
  }
}
